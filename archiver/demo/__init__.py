"""The bundled demo news site, served on loopback, and the server behind it."""
