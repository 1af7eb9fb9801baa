/*
 * http.h -- the HTTP/1.1 client (http_client.c), the HTTP server
 * (http_server.c) and the upper-casing echo server (echo_server.c), all on
 * the sockets of net.h. Each prints what it does on the console; servers run
 * until a key is pressed.
 */
#ifndef HTTP_H
#define HTTP_H

#include <efi.h>
#include "http_parse.h"

/* Send METHOD to url (with body if body_length or method is POST), print the
   status, the body's length and SHA-256. 0 when a whole response arrived,
   whatever its status; -1 (with a message) when the exchange failed. */
int http_request(const char *method, const char *url, const void *body, UINTN body_length,
                 const char *content_type);

/* Serve GET (and HEAD) /, /cpuid and POST /echo on port until a key is pressed. */
int http_serve(UINT16 port);
/* Send back, upper-cased, whatever each client sends, until a key is pressed. */
int echo_serve(UINT16 port);

/* Shared by the servers: print "what: message" for the last socket error. */
void net_report(const char *what);

#endif
