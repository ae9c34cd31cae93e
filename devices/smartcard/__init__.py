"""PC/SC smart cards (社会保障卡): APDUs, the card layout, the pcscd reader, our own vpcd virtual cards, a pcscd helper.

Device manager backend: family "smartcard", name "pcsc" -> `reader.enumerate_pcsc` / `reader.open_pcsc`.
"""
