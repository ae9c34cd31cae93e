"""Document-camera mode: photograph paper materials as flattened, legible JPEG attachments (Qt-free).

page.py finds the sheet, rectify.py flattens, cleans and encodes it, capture.py waits for a still, sharp sheet
and stores one attachment, sim.py makes real camera-like frames of a sheet for tests, the bench and the demo.
"""
from devices.doccam.capture import CaptureFailed, CaptureSettings, Captured, DocumentCapture, Failure
from devices.doccam.page import PageFinding, Quad, Reason, find_page
from devices.doccam.rectify import Enhance, Jpeg, encode_jpeg, rectify, sheet_aspect

__all__ = ["CaptureFailed", "CaptureSettings", "Captured", "DocumentCapture", "Enhance", "Failure", "Jpeg",
           "PageFinding", "Quad", "Reason", "encode_jpeg", "find_page", "rectify", "sheet_aspect"]
