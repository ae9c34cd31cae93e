"""URL paths of protocol 1.1 that protocol.py (1.0) does not name yet, and the staff pages."""
from sync.protocol import API_PREFIX, HEALTH_PATH, PROTOCOL_VERSION, RECORDS_PATH

ENROLL_PATH = f"{API_PREFIX}/enroll"
ATTACHMENT_PATH = API_PREFIX + "/attachments/{sha256}"
STREAM_PATH = API_PREFIX + "/streams/{stream}"
UPDATE_PATH = API_PREFIX + "/updates/{sha256}"
STREAMS = ("catalog", "guides", "policies", "config", "agent_credentials", "announcements", "status", "slots",
           "update", "benefits", "qa")
STAFF_PREFIX = "/staff"

__all__ = ["API_PREFIX", "HEALTH_PATH", "RECORDS_PATH", "PROTOCOL_VERSION", "ENROLL_PATH", "ATTACHMENT_PATH",
           "STREAM_PATH", "STREAMS", "STAFF_PREFIX", "UPDATE_PATH"]
