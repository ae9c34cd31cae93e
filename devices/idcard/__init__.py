"""ID card readers (SAM module): frames, the text block of resident / foreigner / HK-Macau-Taiwan cards, the serial
driver and its backends, the pty simulator, and the optional WLT photo decoder."""
