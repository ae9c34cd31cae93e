"""Receipt printers: ESC/POS layout and encoding held once, transports and the simulator separate."""
