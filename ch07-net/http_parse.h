/*
 * http_parse.h -- the HTTP/1.1 parsers of http_client.c and http_server.c,
 * as pure functions: bytes in, a verdict out. No sockets, no firmware, no
 * allocation, so http_parse.c builds for UEFI and, in the tests and the
 * fuzz targets, for the host (tests/test_http_parse.py, tests/fuzz/).
 *
 *   http_parse_request   a request's head (RFC 9112 2-3, 5, 6)
 *   http_parse_response  a response's head (RFC 9112 4-6)
 *   http_chunked_decode  a chunked body, piece by piece (RFC 9112 7.1)
 *   http_parse_url       "http://A.B.C.D[:PORT][/PATH]"
 *
 * A head is the start line, the field lines and the empty line that ends
 * them. Lines end in CR LF; a lone LF is taken as well (RFC 9112 2.2 "MAY").
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* The course's limits, generous enough for real servers and clients (nginx
   takes 8 KiB lines, Apache 8190 bytes a field). Messages that report them
   name them. */
#define HTTP_HEAD_MAX 131072          /* 128 KiB: a whole head, start line to empty line */
#define HTTP_LINE_MAX 16384           /* 16 KiB: one line of a head, without its CR LF */
#define HTTP_DEFAULT_PORT 80

/* What a parser says. Each has a sentence (http_verdict_text) and, for a
   request, the status a server answers with (http_verdict_status). */
enum http_verdict {
    HTTP_OK,
    HTTP_INCOMPLETE,                 /* more bytes are needed */
    HTTP_HEAD_TOO_LARGE,             /* no end of head within HTTP_HEAD_MAX */
    HTTP_LINE_TOO_LONG,              /* a field (or chunk) line over HTTP_LINE_MAX */
    HTTP_START_LINE_TOO_LONG,        /* a request or status line over HTTP_LINE_MAX */
    HTTP_BAD_START_LINE,             /* not "METHOD SP target SP version" / "version SP code" */
    HTTP_BAD_VERSION,                /* not "HTTP/" DIGIT "." DIGIT */
    HTTP_VERSION_NOT_SUPPORTED,      /* HTTP/2.0, HTTP/0.9...: not major version 1 */
    HTTP_BAD_TARGET,                 /* a request target we cannot route */
    HTTP_BAD_FIELD,                  /* a field line that is not name ":" value */
    HTTP_SPACE_BEFORE_COLON,         /* "Name : value" (RFC 9112 5.1: MUST reject) */
    HTTP_CONTROL_BYTE,               /* NUL, a lone CR, DEL... in a field */
    HTTP_OBS_FOLD,                   /* a request field continued on the next line */
    HTTP_BAD_CONTENT_LENGTH,         /* not 1*DIGIT, or too large */
    HTTP_CONFLICTING_CONTENT_LENGTH, /* two different Content-Length values */
    HTTP_BAD_TRANSFER_ENCODING,      /* TE with CL in a request, TE in HTTP/1.0, an empty TE */
    HTTP_CHUNKED_NOT_FINAL,          /* a request whose last coding is not chunked */
    HTTP_CODING_NOT_SUPPORTED,       /* a transfer coding other than one "chunked" */
    HTTP_MISSING_HOST,               /* an HTTP/1.1 request without Host */
    HTTP_BAD_HOST,                   /* two Host fields, or a Host value that is no host */
    HTTP_BAD_CHUNK_SIZE,             /* a chunk-size line that is not hex [; extensions] */
    HTTP_BAD_CHUNK_END,              /* chunk data not followed by CR LF */
    HTTP_URL_NOT_HTTP,               /* URLs: not http:// */
    HTTP_URL_BAD_HOST,               /* not a numeric IPv4 address */
    HTTP_URL_BAD_PORT,               /* not 1-65535 */
    HTTP_URL_JUNK_AFTER_HOST,        /* something other than / ? # after the address */
    HTTP_URL_BAD_PATH,               /* a space, control byte or non-ASCII byte in the path */
    HTTP_URL_PATH_TOO_LONG,          /* over HTTP_URL_PATH_MAX */
    HTTP_VERDICT_COUNT
};

const char *http_verdict_text(enum http_verdict verdict);
/* The status a server answers a request with this verdict (400, 414, 431,
   501, 505), 0 for HTTP_OK and HTTP_INCOMPLETE. */
int http_verdict_status(enum http_verdict verdict);

/* How the body after a head is delimited (RFC 9112 6.3). */
enum http_body {
    HTTP_BODY_NONE,          /* no body */
    HTTP_BODY_LENGTH,        /* content_length bytes */
    HTTP_BODY_CHUNKED,       /* chunks: http_chunked_decode */
    HTTP_BODY_UNTIL_CLOSE,   /* responses only: until the server closes */
};

/* A byte range inside the parsed buffer (not NUL-terminated). */
struct http_span {
    const char *at;
    size_t length;
};

struct http_request_head {
    size_t head_length;              /* bytes up to and including the empty line */
    struct http_span method;
    struct http_span target;         /* as sent: "/x?y" or "http://host/x?y" */
    struct http_span path;           /* the target's path, no query: "/" at least */
    unsigned version_minor;          /* HTTP/1.x */
    enum http_body body;
    uint64_t content_length;
    int expect_continue;             /* "Expect: 100-continue" */
};

/* Parse the request head at data[0..length). HTTP_INCOMPLETE until the
   empty line has arrived; errors as soon as a whole line shows one. */
enum http_verdict http_parse_request(const char *data, size_t length,
                                     struct http_request_head *request);

struct http_response_head {
    size_t head_length;
    unsigned version_minor;
    unsigned status;                 /* 100-999 */
    struct http_span reason;
    enum http_body body;
    uint64_t content_length;
    struct http_span location;       /* length 0: none */
    struct http_span transfer_encoding;  /* the last one, to name an unsupported coding */
};

/* Parse the response head at data[0..length). request_was_head: the request
   was HEAD, so there is no body whatever the fields say. A field continued
   on the next line (obs-fold) is joined in place with spaces, as RFC 9112
   5.2 tells a user agent to: data is written to. */
enum http_verdict http_parse_response(char *data, size_t length, int request_was_head,
                                      struct http_response_head *response);

/* A chunked body, decoded as it arrives. */
struct http_chunked {
    int state;
    int digits;                      /* hex digits of the chunk size so far */
    uint64_t left;                   /* data bytes left in the current chunk */
    size_t line;                     /* bytes of the current size or trailer line */
    size_t trailers;                 /* bytes of trailer fields so far */
    int trailer_fields;
};

void http_chunked_init(struct http_chunked *chunked);
/* Decode in[0..length). The body bytes among them are copied to out, which
   may be `in` itself or any place before it (the copy runs forward): that
   is how the client and the server decode in place. *used: bytes of `in`
   consumed; *produced: bytes written to out. HTTP_INCOMPLETE: all of `in`
   used, more to come; HTTP_OK: the body ended at in + *used. */
enum http_verdict http_chunked_decode(struct http_chunked *chunked, const uint8_t *in,
                                      size_t length, uint8_t *out, size_t *used,
                                      size_t *produced);

#define HTTP_URL_PATH_MAX 511
struct http_url {
    uint8_t ip[4];                   /* numeric addresses only: there is no DNS here */
    uint16_t port;
    char host[24];                   /* "A.B.C.D:PORT" for the Host field */
    char path[HTTP_URL_PATH_MAX + 1];  /* what goes in the request line: path and query */
};

/* "http://A.B.C.D[:PORT][/PATH][?QUERY][#FRAGMENT]" (NUL-terminated) -> url. */
enum http_verdict http_parse_url(const char *text, struct http_url *url);

#endif
