/* Defines tlshost_value as an ordinary variable: a library loaded by
 * libsoload that expects it thread-local must be refused, not handed a
 * plain address as a TLS block. */
int tlshost_value = 3;
