"""Second-generation ID card (二代证) reader: SAM module frames, text block, serial driver, pty simulator."""
