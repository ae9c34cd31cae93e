"""One module per screen. Screens render what they are given and emit signals; controllers decide what is next."""
