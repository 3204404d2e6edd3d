// Verifies credentials with implementations Puente did not write (test tool, never served).
// Reads {"credentials": [...], "contexts": {url: file}, "files": {url: file},
// "origin": "http://127.0.0.1:PORT", "jwts": [...], "jwks_url": "..."} on stdin; prints one JSON report per credential and per JWT.
// Contexts come from the files given; the issuer's keys and status lists from the live test
// server at `origin`; nothing else is loaded.
import fs from 'node:fs';
import jsonld from 'jsonld';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as jcsVerifySuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {verifyCredential as dccVerify} from '@digitalcredentials/verifier-core';
import {checkStatus as checkBitstringStatus} from '@digitalcredentials/vc-bitstring-status-list';
import * as jose from 'jose';

const input = JSON.parse(fs.readFileSync(0, 'utf8'));

// verifier-core fetches keys, status lists and the JSON Schema itself: only the live test
// server is reached, and the schema's address is answered with the vendored copy.
const realFetch = globalThis.fetch;
globalThis.fetch = async (resource, options) => {
  const url = typeof resource === 'string' ? resource : (resource.url || String(resource));
  if (input.files && input.files[url]) {
    return new Response(fs.readFileSync(input.files[url]), {headers: {'content-type': 'application/json'}});
  }
  if (input.origin && url.startsWith(input.origin + '/')) {
    return realFetch(resource, options);
  }
  throw new Error(`not fetched (outside the test): ${url}`);
};
const contexts = new Map(
  Object.entries(input.contexts || {}).map(([url, file]) => [url, JSON.parse(fs.readFileSync(file, 'utf8'))]));

async function documentLoader(url) {
  if (contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if (input.origin && url.startsWith(input.origin + '/')) {
    const response = await fetch(url.split('#')[0], {headers: {accept: 'application/json'}});
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return {contextUrl: null, documentUrl: url, document: await response.json()};
  }
  throw new Error(`not loaded (outside the test): ${url}`);
}

const suite = [
  new DataIntegrityProof({cryptosuite: rdfcSuite}),
  new DataIntegrityProof({cryptosuite: jcsVerifySuite()}),
];

function message(error) {
  if (!error) return null;
  const errors = error.errors || [error];
  return errors.map(e => {
    const detail = e.details?.event?.details || e.details?.event || null;
    return (e.message || String(e)) + (detail ? ' ' + JSON.stringify(detail) : '');
  }).join('; ');
}

async function digitalBazaar(credential) {
  try {
    // A credential with a BitstringStatusListEntry: its list is fetched and checked too.
    const checkStatus = options => checkBitstringStatus({...options, documentLoader, suite});
    const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
    return {verified: result.verified, error: message(result.error)};
  } catch (error) {
    return {verified: false, error: message(error)};
  }
}

async function safeMode(credential) {
  try {
    const {proof, ...unsigned} = credential;
    await jsonld.canonize(unsigned, {algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true});
    return {ok: true, error: null};
  } catch (error) {
    return {ok: false, error: message(error)};
  }
}

async function verifierCore(credential) {
  try {
    const result = await dccVerify({credential, knownDIDRegistries: []});
    const log = result.log || [];
    const step = id => log.find(entry => entry.id === id);
    return {
      signature: step('valid_signature')?.valid === true,
      // The status step: true = not revoked, false = revoked, absent = no credentialStatus.
      revocation: step('revocation_status') ?? null,
      errors: (result.errors || []).map(e => `${e.name}: ${e.message}`),
      schema: (result.additionalInformation || []).find(entry => entry.id === 'schema_check')?.results ?? null,
    };
  } catch (error) {
    return {signature: false, revocation: null, errors: [message(error)]};
  }
}

async function checkJwt(token) {
  try {
    const keys = jose.createRemoteJWKSet(new URL(input.jwks_url));
    const {payload, protectedHeader} = await jose.jwtVerify(token, keys);
    return {verified: true, header: protectedHeader, payload, error: null};
  } catch (error) {
    return {verified: false, error: message(error)};
  }
}

const reports = [];
for (const credential of input.credentials || []) {
  reports.push({
    id: credential.id,
    digitalbazaar: await digitalBazaar(credential),
    safe_mode: await safeMode(credential),
    verifier_core: await verifierCore(credential),
  });
}
const jwts = [];
for (const token of input.jwts || []) {
  jwts.push(await checkJwt(token));
}
// The libraries log to stdout themselves: the report is the last line.
process.stdout.write('\n' + JSON.stringify({credentials: reports, jwts}) + '\n');
