"""Import every model so SQLAlchemy and Alembic see the whole schema."""

from app.audit.models import AuditEvent
from app.auth.models import SignInToken, TokenPurpose
from app.certificates.models import (
    Certificate,
    CertificateJob,
    CertificatePrint,
    CertificateStatus,
)
from app.contracts.models import (
    ContractAcknowledgement,
    ContractCourse,
    ContractUnitTarget,
    SignerRole,
    StudyContract,
)
from app.courses.models import Course, CourseVersion, Item, ItemKind, Lesson, Section, Unit
from app.credits.models import CreditAward, PriorCourse
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.guardians.models import GuardianLink
from app.learning.models import Answer, Attempt, AttemptStatus, Mode
from app.moves.models import InboundStatus, InboundTransfer, MoveStatus, StudentMove
from app.notifications.models import Notification, NotificationPreference
from app.packets.models import PacketJob
from app.page_cache.models import PageGeneration
from app.records.models import ExportJob
from app.reports.models import ReportEnrollment, ReportRefresh, ReportUnitPass
from app.rosters.models import RosterClass, RosterCourseMap, RosterImport, RosterJob
from app.sites.models import Site
from app.students.models import Student, StudentKind
from app.transfers.models import PeerNonce, TransferImport, TrustedIssuer
from app.users.models import ApiToken, Role, User

__all__ = [
    "Answer",
    "ApiToken",
    "Attempt",
    "AttemptStatus",
    "AuditEvent",
    "Certificate",
    "ContractAcknowledgement",
    "ContractCourse",
    "ContractUnitTarget",
    "CertificateJob",
    "CertificatePrint",
    "CertificateStatus",
    "Course",
    "CourseVersion",
    "CreditAward",
    "Enrollment",
    "EnrollmentStatus",
    "ExportJob",
    "InboundStatus",
    "InboundTransfer",
    "GuardianLink",
    "Item",
    "ItemKind",
    "Lesson",
    "Mode",
    "PacketJob",
    "PageGeneration",
    "PeerNonce",
    "MoveStatus",
    "Notification",
    "NotificationPreference",
    "PriorCourse",
    "ReportEnrollment",
    "ReportRefresh",
    "ReportUnitPass",
    "Role",
    "RosterClass",
    "RosterCourseMap",
    "RosterImport",
    "RosterJob",
    "Section",
    "SignInToken",
    "SignerRole",
    "Site",
    "Student",
    "StudentKind",
    "StudyContract",
    "StudentMove",
    "TransferImport",
    "TokenPurpose",
    "TrustedIssuer",
    "Unit",
    "UnitProgress",
    "UnitStatus",
    "User",
]


def schema_for(dialect_name: str):
    """Alembic's `include_object` on `dialect_name`: what the models keep for one engine only
    (an index whose `info["dialect"]` names it) is compared there, and left out elsewhere."""

    def include_object(obj, _name, _type, _reflected, _compare_to) -> bool:
        wanted = getattr(obj, "info", {}).get("dialect")
        return wanted is None or wanted == dialect_name

    return include_object
