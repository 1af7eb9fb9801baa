/*
 * http_parse.c -- see http_parse.h. Freestanding C: text.h and the course's
 * snprintf are the only helpers, nothing here allocates or calls the firmware.
 *
 * The grammar is RFC 9112's (HTTP/1.1 messages) and RFC 9110's (fields,
 * Content-Length, Host). Every index is checked against the length before
 * the byte at it is read: the input is whatever the network brought.
 */
#include "http_parse.h"
#include "lab_todo.h"
#include "text.h"
#include "format.h"

#define HTTP_VERSION_LENGTH 8          /* "HTTP/1.1" */
#define STATUS_DIGITS       3
#define HEX                 16
#define DECIMAL             10
#define PORT_MAX            65535
#define IPV4_OCTET_MAX      255
#define IPV4_OCTET_DIGITS   3

static const char *const verdicts[HTTP_VERDICT_COUNT] = {
    [HTTP_OK]                 = "ok",
    [HTTP_INCOMPLETE]         = "incomplete",
    [HTTP_HEAD_TOO_LARGE]     = "the head is larger than 131072 bytes (HTTP_HEAD_MAX)",
    [HTTP_LINE_TOO_LONG]      = "a line is longer than 16384 bytes (HTTP_LINE_MAX)",
    [HTTP_START_LINE_TOO_LONG] = "the first line is longer than 16384 bytes (HTTP_LINE_MAX)",
    [HTTP_BAD_START_LINE]     = "malformed first line",
    [HTTP_BAD_VERSION]        = "malformed HTTP version",
    [HTTP_VERSION_NOT_SUPPORTED] = "HTTP version not supported (only HTTP/1.x)",
    [HTTP_BAD_TARGET]         = "malformed request target",
    [HTTP_BAD_FIELD]          = "malformed header field",
    [HTTP_SPACE_BEFORE_COLON] = "whitespace between a field name and its colon",
    [HTTP_CONTROL_BYTE]       = "a control byte in a header field",
    [HTTP_OBS_FOLD]           = "a header field folded onto the next line",
    [HTTP_BAD_CONTENT_LENGTH] = "bad Content-Length",
    [HTTP_CONFLICTING_CONTENT_LENGTH] = "conflicting Content-Length values",
    [HTTP_BAD_TRANSFER_ENCODING] = "bad Transfer-Encoding framing",
    [HTTP_CHUNKED_NOT_FINAL]  = "Transfer-Encoding does not end in chunked",
    [HTTP_CODING_NOT_SUPPORTED] = "transfer coding not supported (only chunked)",
    [HTTP_MISSING_HOST]       = "no Host field",
    [HTTP_BAD_HOST]           = "more than one Host field, or a bad Host value",
    [HTTP_BAD_CHUNK_SIZE]     = "bad chunk size line",
    [HTTP_BAD_CHUNK_END]      = "chunk data not followed by CR LF",
    [HTTP_URL_NOT_HTTP]       = "expected http://A.B.C.D[:PORT]/PATH (no https, no DNS)",
    [HTTP_URL_BAD_HOST]       = "the host must be a numeric IPv4 address",
    [HTTP_URL_BAD_PORT]       = "the port must be 1-65535",
    [HTTP_URL_JUNK_AFTER_HOST] = "expected / after the address",
    [HTTP_URL_BAD_PATH]       = "the path has a space, control byte or non-ASCII byte",
    [HTTP_URL_PATH_TOO_LONG]  = "the path is longer than 511 characters (HTTP_URL_PATH_MAX)",
};

/* The messages spell the limits out: keep them in step with the header. */
_Static_assert(HTTP_HEAD_MAX == 131072 && HTTP_LINE_MAX == 16384 && HTTP_URL_PATH_MAX == 511,
               "update the limits in the verdict messages");

const char *http_verdict_text(enum http_verdict verdict)
{
    if ((unsigned)verdict >= HTTP_VERDICT_COUNT || !verdicts[verdict])
        return "unknown verdict";
    return verdicts[verdict];
}

int http_verdict_status(enum http_verdict verdict)
{
    switch (verdict) {
    case HTTP_OK:
    case HTTP_INCOMPLETE:            return 0;
    case HTTP_HEAD_TOO_LARGE:
    case HTTP_LINE_TOO_LONG:         return 431;   /* Request Header Fields Too Large (RFC 6585) */
    case HTTP_START_LINE_TOO_LONG:   return 414;   /* URI Too Long (RFC 9112 3) */
    case HTTP_VERSION_NOT_SUPPORTED: return 505;
    case HTTP_CODING_NOT_SUPPORTED:  return 501;   /* RFC 9112 6.1 */
    default:                         return 400;
    }
}

/* -- character classes (RFC 9110 5.6.2, 5.5) ------------------------------- */
static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* c is one of the bytes of set (c != 0). */
static int in_set(unsigned char c, const char *set)
{
    for (; *set; set++)
        if ((unsigned char)*set == c)
            return 1;
    return 0;
}

/* tchar: what a method, a field name or a coding is made of. */
static int is_tchar(unsigned char c)
{
    return is_digit(c) || is_alpha(c) || (c && in_set(c, "!#$%&'*+-.^_`|~"));
}

static int is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* field-vchar / SP / HTAB: VCHAR and obs-text (0x80-0xFF), no controls. */
static int is_field_byte(unsigned char c)
{
    return (c >= 0x21 && c != 0x7F) || is_ows(c);
}

static int equal_nocase(struct http_span s, const char *word)
{
    return s.length == strlen(word) && text_equal_nocase(s.at, word, s.length);
}

/* s without OWS at either end. */
static struct http_span trim(struct http_span s)
{
    while (s.length && is_ows((unsigned char)s.at[0]))
        s.at++, s.length--;
    while (s.length && is_ows((unsigned char)s.at[s.length - 1]))
        s.length--;
    return s;
}

/* -- lines ------------------------------------------------------------------ */
struct line {
    size_t start, end;               /* content, without CR LF */
    size_t next;                     /* where the next line starts */
};

/* The line at data[at..length): 1 if whole, 0 if its LF has not come yet. */
static int next_line(const char *data, size_t length, size_t at, struct line *line)
{
    for (size_t i = at; i < length; i++) {
        if (data[i] == '\n') {
            line->start = at;
            line->end = i > at && data[i - 1] == '\r' ? i - 1 : i;
            line->next = i + 1;
            return 1;
        }
    }
    return 0;
}

/* HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3), case-sensitive. */
static enum http_verdict parse_version(const char *v, size_t length, unsigned *minor)
{
    if (length != HTTP_VERSION_LENGTH)
        return HTTP_BAD_VERSION;
    if (v[0] != 'H' || v[1] != 'T' || v[2] != 'T' || v[3] != 'P' || v[4] != '/' ||
        !is_digit((unsigned char)v[5]) || v[6] != '.' || !is_digit((unsigned char)v[7]))
        return HTTP_BAD_VERSION;
    if (v[5] != '1')
        return HTTP_VERSION_NOT_SUPPORTED;
    *minor = (unsigned)(v[7] - '0');
    return HTTP_OK;
}

/*
 * Walk the field lines from data[at], up to and including the empty line.
 * Checks the syntax of each (RFC 9112 5: field-name ":" OWS field-value OWS)
 * and the limits; sets *head_length when the empty line is there.
 * folds_allowed: a line starting with SP or HTAB continues the field before
 * it (obs-fold); else it is HTTP_OBS_FOLD.
 */
static enum http_verdict scan_fields(const char *data, size_t length, size_t at,
                                     int folds_allowed, size_t *head_length)
{
    int fields = 0;
    for (;;) {
        struct line line;
        if (!next_line(data, length, at, &line)) {
            if (length - at > HTTP_LINE_MAX + 1)        /* + 1: its CR may be there */
                return HTTP_LINE_TOO_LONG;
            return length >= HTTP_HEAD_MAX ? HTTP_HEAD_TOO_LARGE : HTTP_INCOMPLETE;
        }
        if (line.end - line.start > HTTP_LINE_MAX)
            return HTTP_LINE_TOO_LONG;
        if (line.next > HTTP_HEAD_MAX)
            return HTTP_HEAD_TOO_LARGE;
        if (line.end == line.start) {
            *head_length = line.next;
            return HTTP_OK;
        }
        size_t i = line.start;
        if (is_ows((unsigned char)data[i])) {
            /* RFC 9112 2.2: whitespace before the first field is invalid;
               5.2: a server may reject obs-fold, a client joins it. */
            if (!fields)
                return HTTP_BAD_FIELD;
            if (!folds_allowed)
                return HTTP_OBS_FOLD;
        } else {
            while (i < line.end && is_tchar((unsigned char)data[i]))
                i++;
            if (i == line.end)
                return HTTP_BAD_FIELD;                  /* no colon */
            if (data[i] != ':') {
                size_t colon = i;
                while (colon < line.end && is_ows((unsigned char)data[colon]))
                    colon++;
                if (i > line.start && colon > i && colon < line.end && data[colon] == ':')
                    return HTTP_SPACE_BEFORE_COLON;
                unsigned char c = (unsigned char)data[i];
                return c < 0x20 || c == 0x7F ? HTTP_CONTROL_BYTE : HTTP_BAD_FIELD;
            }
            if (i == line.start)
                return HTTP_BAD_FIELD;                  /* no name */
            i++;
        }
        for (; i < line.end; i++)
            if (!is_field_byte((unsigned char)data[i]))
                return HTTP_CONTROL_BYTE;
        fields++;
        at = line.next;
    }
}

/* One field of a head already checked by scan_fields. */
struct field {
    struct http_span name, value;    /* value without OWS around it */
};

/* The field line at data[*at], in a head of head_length bytes; 0 at its end. */
static int next_field(const char *data, size_t head_length, size_t *at, struct field *field)
{
    struct line line;
    if (!next_line(data, head_length, *at, &line) || line.end == line.start)
        return 0;
    size_t colon = line.start;
    while (data[colon] != ':')
        colon++;
    field->name = (struct http_span){ data + line.start, colon - line.start };
    field->value = trim((struct http_span){ data + colon + 1, line.end - colon - 1 });
    *at = line.next;
    return 1;
}

/*
 * Content-Length = 1*DIGIT (RFC 9110 8.6). A list of identical values
 * ("42, 42", or the field twice) is one value; different ones are an error
 * (RFC 9112 6.3 item 5).
 */
static enum http_verdict add_content_length(struct http_span value, int *seen, uint64_t *length)
{
    size_t i = 0;
    do {
        while (i < value.length && is_ows((unsigned char)value.at[i]))
            i++;
        uint64_t n = 0;
        size_t digits = 0;
        for (; i < value.length && is_digit((unsigned char)value.at[i]); i++, digits++) {
            unsigned d = (unsigned)(value.at[i] - '0');
            if (n > (UINT64_MAX - d) / DECIMAL)
                return HTTP_BAD_CONTENT_LENGTH;
            n = n * DECIMAL + d;
        }
        if (!digits)
            return HTTP_BAD_CONTENT_LENGTH;
        while (i < value.length && is_ows((unsigned char)value.at[i]))
            i++;
        if (i < value.length && value.at[i] != ',')
            return HTTP_BAD_CONTENT_LENGTH;
        if (*seen && n != *length)
            return HTTP_CONFLICTING_CONTENT_LENGTH;
        *seen = 1;
        *length = n;
    } while (i++ < value.length);
    return HTTP_OK;
}

/* Transfer-Encoding's codings, over every TE field (RFC 9112 6.1). */
struct codings {
    int fields;                      /* TE fields seen */
    int count;                       /* codings in them */
    int chunked;                     /* how many are "chunked" exactly */
    int last_chunked;                /* the last coding is chunked */
};

static void add_codings(struct http_span value, struct codings *c)
{
    c->fields++;
    size_t i = 0;
    while (i < value.length) {
        size_t start = i;
        while (i < value.length && value.at[i] != ',')
            i++;
        struct http_span coding = trim((struct http_span){ value.at + start, i - start });
        i++;
        if (!coding.length)
            continue;                               /* empty list elements are ignored */
        c->count++;
        c->last_chunked = equal_nocase(coding, "chunked");
        c->chunked += c->last_chunked;
    }
}

/* Host = uri-host [ ":" port ] (RFC 9110 7.2): the characters of a
   reg-name, an IPv4 address or an IP literal, and a port. */
static int valid_host(struct http_span value)
{
    for (size_t i = 0; i < value.length; i++) {
        unsigned char c = (unsigned char)value.at[i];
        if (!is_alpha(c) && !is_digit(c) && !(c && in_set(c, "-._~!$&'()*+,;=:[]%")))
            return 0;
    }
    return 1;
}

/* -- requests (RFC 9112 3) ------------------------------------------------------ */
/* request-target: origin-form ("/path?query") or absolute-form
   ("http://host/path?query", which RFC 9112 3.2.2 says a server MUST accept);
   the path without its query goes to request->path. */
static enum http_verdict parse_target(struct http_request_head *request)
{
    const char *t = request->target.at;
    size_t n = request->target.length, path = 0;
    if (t[0] != '/') {
        size_t scheme = n >= 7 && text_equal_nocase(t, "http://", 7)    ? 7
                        : n >= 8 && text_equal_nocase(t, "https://", 8) ? 8 : 0;
        if (!scheme)
            return HTTP_BAD_TARGET;          /* authority-form, asterisk-form: not here */
        path = scheme;
        while (path < n && t[path] != '/' && t[path] != '?')
            path++;
        if (path == scheme)
            return HTTP_BAD_TARGET;          /* no host */
    }
    size_t end = path;
    while (end < n && t[end] != '?')
        end++;
    if (end == path)
        request->path = (struct http_span){ "/", 1 };   /* "http://host" or "...?q" */
    else
        request->path = (struct http_span){ t + path, end - path };
    return HTTP_OK;
}

enum http_verdict http_parse_request(const char *data, size_t length,
                                     struct http_request_head *request)
{
    *request = (struct http_request_head){ 0 };
    /* RFC 9112 2.2: a server SHOULD ignore at least one empty line before
       the request line (some clients send CR LF after a POST body). */
    size_t at = 0;
    struct line line;
    for (;;) {
        if (!next_line(data, length, at, &line)) {
            if (length - at > HTTP_LINE_MAX + 1)
                return HTTP_START_LINE_TOO_LONG;
            return length >= HTTP_HEAD_MAX ? HTTP_HEAD_TOO_LARGE : HTTP_INCOMPLETE;
        }
        if (line.end - line.start > HTTP_LINE_MAX)
            return HTTP_START_LINE_TOO_LONG;
        if (line.end > line.start)
            break;
        at = line.next;
    }

    /* request-line = method SP request-target SP HTTP-version */
    size_t i = line.start, sp1, sp2;
    while (i < line.end && is_tchar((unsigned char)data[i]))
        i++;
    if (i == line.start || i == line.end || data[i] != ' ')
        return HTTP_BAD_START_LINE;
    sp1 = i++;
    while (i < line.end && (unsigned char)data[i] > ' ' && (unsigned char)data[i] < 0x7F)
        i++;
    if (i == sp1 + 1 || i == line.end || data[i] != ' ')
        return HTTP_BAD_START_LINE;
    sp2 = i;
    request->method = (struct http_span){ data + line.start, sp1 - line.start };
    request->target = (struct http_span){ data + sp1 + 1, sp2 - sp1 - 1 };
    enum http_verdict v = parse_version(data + sp2 + 1, line.end - sp2 - 1,
                                        &request->version_minor);
    if (v == HTTP_BAD_VERSION)
        return HTTP_BAD_START_LINE;
    if (v != HTTP_OK)
        return v;
    if ((v = parse_target(request)) != HTTP_OK)
        return v;

    if ((v = scan_fields(data, length, line.next, 0, &request->head_length)) != HTTP_OK)
        return v;

    int length_seen = 0, hosts = 0;
    struct codings codings = { 0 };
    struct field field;
    for (size_t f = line.next; next_field(data, request->head_length, &f, &field);) {
        if (equal_nocase(field.name, "Content-Length")) {
            v = add_content_length(field.value, &length_seen, &request->content_length);
            if (v != HTTP_OK)
                return v;
        } else if (equal_nocase(field.name, "Transfer-Encoding")) {
            add_codings(field.value, &codings);
        } else if (equal_nocase(field.name, "Host")) {
            if (++hosts > 1 || !valid_host(field.value))
                return HTTP_BAD_HOST;
        } else if (equal_nocase(field.name, "Expect")) {
            request->expect_continue = equal_nocase(field.value, "100-continue");
        }
    }
    /* RFC 9112 3.2: an HTTP/1.1 request MUST have one Host. */
    if (request->version_minor >= 1 && !hosts)
        return HTTP_MISSING_HOST;

    /* The body's length (RFC 9112 6.3). */
    if (codings.fields) {
        /* TE with CL, or in HTTP/1.0: a smuggling attempt or a broken
           client; either way the framing cannot be trusted (6.1, 6.3 item 3). */
        if (length_seen || request->version_minor == 0 || !codings.count)
            return HTTP_BAD_TRANSFER_ENCODING;
        if (!codings.last_chunked)
            return HTTP_CHUNKED_NOT_FINAL;                     /* 6.3 item 4: 400 */
        if (codings.count != 1)
            return HTTP_CODING_NOT_SUPPORTED;                  /* gzip, chunked: 501 */
        request->body = HTTP_BODY_CHUNKED;
    } else if (length_seen) {
        request->body = HTTP_BODY_LENGTH;
    } else {
        request->body = HTTP_BODY_NONE;
    }
    return HTTP_OK;
}

/* -- responses (RFC 9112 4) ----------------------------------------------------- */
/* Join obs-fold lines into the field before them: CR LF -> SP SP. */
static void unfold(char *data, size_t at, size_t head_length)
{
    for (size_t i = at; i + 1 < head_length; i++)
        if (data[i] == '\n' && is_ows((unsigned char)data[i + 1])) {
            data[i] = ' ';
            if (i > at && data[i - 1] == '\r')
                data[i - 1] = ' ';
        }
}

enum http_verdict http_parse_response(char *data, size_t length, int request_was_head,
                                      struct http_response_head *response)
{
    *response = (struct http_response_head){ 0 };
    struct line line;
    if (!next_line(data, length, 0, &line)) {
        if (length > HTTP_LINE_MAX + 1)
            return HTTP_START_LINE_TOO_LONG;
        return HTTP_INCOMPLETE;
    }
    if (line.end > HTTP_LINE_MAX)
        return HTTP_START_LINE_TOO_LONG;

    /* status-line = HTTP-version SP status-code SP [ reason-phrase ]; the SP
       after the code is taken as optional, as most clients do. */
    size_t n = line.end;
    if (n < HTTP_VERSION_LENGTH + 1 + STATUS_DIGITS || data[HTTP_VERSION_LENGTH] != ' ')
        return HTTP_BAD_START_LINE;
    enum http_verdict v = parse_version(data, HTTP_VERSION_LENGTH, &response->version_minor);
    if (v != HTTP_OK)
        return v == HTTP_BAD_VERSION ? HTTP_BAD_START_LINE : v;
    const char *code = data + HTTP_VERSION_LENGTH + 1;
    for (int d = 0; d < STATUS_DIGITS; d++) {
        if (!is_digit((unsigned char)code[d]))
            return HTTP_BAD_START_LINE;
        response->status = response->status * DECIMAL + (unsigned)(code[d] - '0');
    }
    if (response->status < 100)
        return HTTP_BAD_START_LINE;                     /* status-code is 100-599 in use */
    size_t reason = HTTP_VERSION_LENGTH + 1 + STATUS_DIGITS;
    if (reason < n && data[reason++] != ' ')
        return HTTP_BAD_START_LINE;
    for (size_t i = reason; i < n; i++)
        if (!is_field_byte((unsigned char)data[i]))
            return HTTP_BAD_START_LINE;
    response->reason = (struct http_span){ data + reason, reason < n ? n - reason : 0 };

    if ((v = scan_fields(data, length, line.next, 1, &response->head_length)) != HTTP_OK)
        return v;
    unfold(data, line.next, response->head_length);

    int length_seen = 0;
    struct codings codings = { 0 };
    struct field field;
    v = HTTP_OK;
    for (size_t f = line.next; next_field(data, response->head_length, &f, &field);) {
        if (equal_nocase(field.name, "Content-Length")) {
            /* Kept to report after the TE check: TE overrides a bad CL. */
            if (v == HTTP_OK)
                v = add_content_length(field.value, &length_seen, &response->content_length);
        } else if (equal_nocase(field.name, "Transfer-Encoding")) {
            add_codings(field.value, &codings);
            response->transfer_encoding = field.value;
        } else if (equal_nocase(field.name, "Location")) {
            response->location = field.value;
        }
    }

    /* The body's length (RFC 9112 6.3), in the RFC's order. */
    unsigned status = response->status;
    if (request_was_head || status / 100 == 1 || status == 204 || status == 304) {
        response->body = HTTP_BODY_NONE;                 /* item 1: whatever the fields say */
        return HTTP_OK;
    }
    if (codings.fields) {
        if (response->version_minor == 0 || !codings.count)
            return HTTP_BAD_TRANSFER_ENCODING;           /* 6.1: faulty framing */
        /* Exactly "chunked" is all this client decodes: anything else
           (gzip, chunked; gzip alone, read until close) would hand the
           caller coded bytes as if they were the body. */
        if (codings.count != 1 || !codings.last_chunked)
            return HTTP_CODING_NOT_SUPPORTED;
        response->body = HTTP_BODY_CHUNKED;              /* item 3: TE overrides CL */
        response->content_length = 0;
        return HTTP_OK;
    }
    if (v != HTTP_OK)
        return v;                                        /* item 5 */
    response->body = length_seen ? HTTP_BODY_LENGTH : HTTP_BODY_UNTIL_CLOSE;
    return HTTP_OK;
}

/* -- chunked bodies (RFC 9112 7.1) ------------------------------------------------
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-ext    = *( BWS ";" BWS name [ BWS "=" BWS value ] )
 * A byte-at-a-time state machine (chunk data goes by in one copy), so the
 * body can arrive split anywhere. */
enum chunked_state {
    CHUNK_SIZE,          /* hex digits */
    CHUNK_SIZE_WS,       /* BWS after the digits: only ";" or the end may follow */
    CHUNK_EXT,           /* extensions, ignored (their bytes are checked) */
    CHUNK_SIZE_LF,       /* CR seen, LF next */
    CHUNK_DATA,
    CHUNK_DATA_CR,       /* CR LF after the data */
    CHUNK_DATA_LF,
    TRAILER_START,       /* a trailer field or the final empty line */
    TRAILER_NAME,
    TRAILER_VALUE,
    TRAILER_LF,
    FINAL_LF,
    CHUNKED_DONE,
};

void http_chunked_init(struct http_chunked *chunked)
{
    *chunked = (struct http_chunked){ .state = CHUNK_SIZE };
}

/* LAB SOLUTION chunked */
static int hex_value(unsigned char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The end of a chunk-size line: data next, or the trailers after the last chunk. */
static enum chunked_state size_line_done(struct http_chunked *c)
{
    c->line = 0;
    return c->left ? CHUNK_DATA : TRAILER_START;
}

enum http_verdict http_chunked_decode(struct http_chunked *c, const uint8_t *in,
                                      size_t length, uint8_t *out, size_t *used,
                                      size_t *produced)
{
    size_t i = 0, o = 0;
    enum http_verdict verdict = HTTP_INCOMPLETE;
    while (i < length && c->state != CHUNKED_DONE) {
        if (c->state == CHUNK_DATA) {
            size_t n = length - i;
            if (c->left < n)
                n = (size_t)c->left;
            for (size_t k = 0; k < n; k++)           /* forward: out may overlap in */
                out[o + k] = in[i + k];
            i += n;
            o += n;
            c->left -= n;
            if (!c->left)
                c->state = CHUNK_DATA_CR;
            continue;
        }
        unsigned char b = in[i++];
        int in_size_line = c->state <= CHUNK_SIZE_LF;
        if (in_size_line || c->state >= TRAILER_START) {
            if (b != '\n' && ++c->line > HTTP_LINE_MAX) {
                verdict = HTTP_LINE_TOO_LONG;
                break;
            }
            if (!in_size_line && ++c->trailers > HTTP_HEAD_MAX) {
                verdict = HTTP_HEAD_TOO_LARGE;
                break;
            }
        }
        switch (c->state) {
        case CHUNK_SIZE: {
            int d = hex_value(b);
            if (d >= 0) {
                if (c->left > (UINT64_MAX >> 4)) {
                    verdict = HTTP_BAD_CHUNK_SIZE;           /* does not fit 64 bits */
                    goto out;
                }
                c->left = c->left << 4 | (uint64_t)d;
                c->digits++;
                continue;
            }
            if (!c->digits) {
                verdict = HTTP_BAD_CHUNK_SIZE;
                goto out;
            }
            if (is_ows(b))
                c->state = CHUNK_SIZE_WS;
            else if (b == ';')
                c->state = CHUNK_EXT;
            else if (b == '\r')
                c->state = CHUNK_SIZE_LF;
            else if (b == '\n')
                c->state = size_line_done(c);
            else {
                verdict = HTTP_BAD_CHUNK_SIZE;
                goto out;
            }
            continue;
        }
        case CHUNK_SIZE_WS:
            if (is_ows(b))
                continue;
            if (b == ';')
                c->state = CHUNK_EXT;
            else if (b == '\r')
                c->state = CHUNK_SIZE_LF;
            else if (b == '\n')
                c->state = size_line_done(c);
            else {
                verdict = HTTP_BAD_CHUNK_SIZE;
                goto out;
            }
            continue;
        case CHUNK_EXT:
            if (b == '\r')
                c->state = CHUNK_SIZE_LF;
            else if (b == '\n')
                c->state = size_line_done(c);
            else if (!is_field_byte(b)) {
                verdict = HTTP_BAD_CHUNK_SIZE;
                goto out;
            }
            continue;
        case CHUNK_SIZE_LF:
            if (b != '\n') {
                verdict = HTTP_BAD_CHUNK_SIZE;
                goto out;
            }
            c->state = size_line_done(c);
            continue;
        case CHUNK_DATA_CR:
            if (b == '\r')
                c->state = CHUNK_DATA_LF;
            else if (b == '\n')
                c->state = CHUNK_SIZE, c->digits = 0;
            else {
                verdict = HTTP_BAD_CHUNK_END;
                goto out;
            }
            continue;
        case CHUNK_DATA_LF:
            if (b != '\n') {
                verdict = HTTP_BAD_CHUNK_END;
                goto out;
            }
            c->state = CHUNK_SIZE;
            c->digits = 0;
            continue;
        case TRAILER_START:
            if (b == '\r') {
                c->state = FINAL_LF;
            } else if (b == '\n') {
                c->state = CHUNKED_DONE;
            } else if (is_tchar(b)) {
                c->state = TRAILER_NAME;
            } else if (is_ows(b) && c->trailer_fields) {
                c->state = TRAILER_VALUE;                   /* obs-fold: more of the last one */
            } else {
                verdict = b < 0x20 || b == 0x7F ? HTTP_CONTROL_BYTE : HTTP_BAD_FIELD;
                goto out;
            }
            continue;
        case TRAILER_NAME:
            if (is_tchar(b))
                continue;
            if (b == ':') {
                c->state = TRAILER_VALUE;
                c->trailer_fields++;
                continue;
            }
            verdict = is_ows(b) ? HTTP_SPACE_BEFORE_COLON
                      : b < 0x20 || b == 0x7F ? HTTP_CONTROL_BYTE : HTTP_BAD_FIELD;
            goto out;
        case TRAILER_VALUE:
            if (b == '\r')
                c->state = TRAILER_LF;
            else if (b == '\n')
                c->state = TRAILER_START, c->line = 0;
            else if (!is_field_byte(b)) {
                verdict = HTTP_CONTROL_BYTE;
                goto out;
            }
            continue;
        case TRAILER_LF:
            if (b != '\n') {
                verdict = HTTP_CONTROL_BYTE;                /* a lone CR */
                goto out;
            }
            c->state = TRAILER_START;
            c->line = 0;
            continue;
        case FINAL_LF:
            if (b != '\n') {
                verdict = HTTP_CONTROL_BYTE;
                goto out;
            }
            c->state = CHUNKED_DONE;
            continue;
        default:
            verdict = HTTP_BAD_CHUNK_SIZE;                  /* not reached */
            goto out;
        }
    }
    if (c->state == CHUNKED_DONE)
        verdict = HTTP_OK;
out:
    *used = i;
    *produced = o;
    return verdict;
}
/* LAB STUB
enum http_verdict http_chunked_decode(struct http_chunked *c, const uint8_t *in, size_t length,
                                      uint8_t *out, size_t *used, size_t *produced)
{
    // A byte-at-a-time state machine over the chunked_state values above:
    // hex size [BWS] [; extensions] CRLF, that many data bytes copied forward
    // to out, CRLF; a size of 0 ends the chunks, then trailer lines and an
    // empty line (CHUNKED_DONE: HTTP_OK). Every line is at most HTTP_LINE_MAX,
    // the trailers at most HTTP_HEAD_MAX; a lone LF ends a line too. Until then
    // every body is refused.
    (void)c;
    (void)in;
    (void)length;
    (void)out;
    LAB_TODO_ONCE("LAB TODO: chunked");
    *used = 0;
    *produced = 0;
    return HTTP_BAD_CHUNK_SIZE;
}
LAB END */

/* -- URLs --------------------------------------------------------------------------- */
/* "A.B.C.D", each part 0-255 in at most 3 digits; returns the bytes used, 0 if none. */
static size_t parse_ipv4(const char *text, uint8_t ip[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned value = 0, digits = 0;
        while (is_digit((unsigned char)text[i]) && digits < IPV4_OCTET_DIGITS) {
            value = value * DECIMAL + (unsigned)(text[i++] - '0');
            digits++;
        }
        if (!digits || value > IPV4_OCTET_MAX || is_digit((unsigned char)text[i]))
            return 0;
        ip[part] = (uint8_t)value;
        if (part < 3 && text[i++] != '.')
            return 0;
    }
    return i;
}

enum http_verdict http_parse_url(const char *text, struct http_url *url)
{
    const char *p = text;
    if (!text_equal_nocase(p, "http://", 7))
        return HTTP_URL_NOT_HTTP;
    p += 7;
    size_t used = parse_ipv4(p, url->ip);
    if (!used)
        return HTTP_URL_BAD_HOST;
    p += used;
    url->port = HTTP_DEFAULT_PORT;
    if (*p == ':') {
        uint64_t port;
        size_t digits = text_parse_number(++p, DECIMAL, &port);
        if (!digits || port == 0 || port > PORT_MAX)
            return HTTP_URL_BAD_PORT;
        url->port = (uint16_t)port;
        p += digits;
    }
    if (*p && *p != '/' && *p != '?' && *p != '#')
        return HTTP_URL_JUNK_AFTER_HOST;
    /* The path and query go into the request line as they are: a space or
       a control byte there would end the line early or forge another. The
       fragment is the client's own (RFC 9110 4.2.5) and is not sent. */
    size_t n = 0;
    if (*p != '/')
        url->path[n++] = '/';
    for (; *p && *p != '#'; p++) {
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7F)
            return HTTP_URL_BAD_PATH;
        if (n == HTTP_URL_PATH_MAX)
            return HTTP_URL_PATH_TOO_LONG;
        url->path[n++] = *p;
    }
    url->path[n] = 0;
    snprintf(url->host, sizeof url->host, "%u.%u.%u.%u:%u", url->ip[0], url->ip[1],
             url->ip[2], url->ip[3], url->port);
    return HTTP_OK;
}
