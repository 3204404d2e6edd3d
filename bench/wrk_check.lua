-- wrk script: counts every response that is not a 200 with the expected text in its body
-- (the first argument after --), and prints requests, duration and latency percentiles.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = args[1]
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or (expected and not string.find(body, expected, 1, true)) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("BENCH requests=%d duration_us=%d bad=%d errors=%d p50_us=%d p95_us=%d\n",
    summary.requests, summary.duration, total,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95)))
end
