/*
 * The floor of `make bench`: the least a Lambda custom runtime can do. It loops GET
 * /2018-06-01/runtime/invocation/next and POST /2018-06-01/runtime/invocation/<id>/response with `{}`, over one
 * kept-alive connection to AWS_LAMBDA_RUNTIME_API, and nothing else (no event parsing, no AWS call, no logging).
 * Every figure of the function is also given as a ratio to this one measured in the same run, so the machine's
 * noise cancels out. Built by the Makefile with the system C compiler, statically linked.
 *
 * The Runtime API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char host[256];
static char port[16];
static int connection = -1;

/*
 * Connects to the Runtime API (once; again if the server closed the connection). The address is numeric, as Lambda
 * gives it (127.0.0.1:9001); "localhost" is taken as 127.0.0.1. No resolver, so the static binary needs no NSS.
 */
static int connect_api(void) {
    if (connection >= 0) return connection;
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)atoi(port));
    const char *numeric = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, numeric, &address.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connection = fd;
    return connection;
}

static void disconnect(void) {
    if (connection >= 0) close(connection);
    connection = -1;
}

static int send_all(const char *bytes, size_t length) {
    while (length > 0) {
        ssize_t sent = send(connection, bytes, length, MSG_NOSIGNAL);
        if (sent <= 0) return -1;
        bytes += sent;
        length -= (size_t)sent;
    }
    return 0;
}

/* The value of a header in a NUL-terminated head, copied into `value`; 0 if absent. */
static int header(const char *head, const char *name, char *value, size_t capacity) {
    size_t name_length = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, name_length) != 0 || start[name_length] != ':') continue;
        start += name_length + 1;
        while (*start == ' ') start++;
        size_t length = strcspn(start, "\r\n");
        if (length >= capacity) return 0;
        memcpy(value, start, length);
        value[length] = '\0';
        return 1;
    }
    return 0;
}

/*
 * Sends a request and reads the answer's head and body (the body is discarded). Returns the status code, -1 if the
 * connection failed; `request_id` receives Lambda-Runtime-Aws-Request-Id when asked for.
 */
static int exchange(const char *request, size_t length, char *request_id, size_t id_capacity) {
    static char buffer[1 << 16];
    if (connect_api() < 0 || send_all(request, length) != 0) return -1;
    size_t filled = 0;
    char *end = NULL;
    while (end == NULL) {
        if (filled + 1 >= sizeof buffer) return -1;
        ssize_t got = recv(connection, buffer + filled, sizeof buffer - 1 - filled, 0);
        if (got <= 0) return -1;
        filled += (size_t)got;
        buffer[filled] = '\0';
        end = strstr(buffer, "\r\n\r\n");
    }
    *end = '\0';
    int status = 0;
    if (sscanf(buffer, "HTTP/1.%*d %d", &status) != 1) return -1;
    char value[64];
    long content_length = header(buffer, "Content-Length", value, sizeof value) ? atol(value) : 0;
    if (request_id != NULL && !header(buffer, "Lambda-Runtime-Aws-Request-Id", request_id, id_capacity)) return -1;
    long remaining = content_length - (long)(filled - (size_t)(end + 4 - buffer));
    while (remaining > 0) {
        ssize_t got = recv(connection, buffer, sizeof buffer < (size_t)remaining ? sizeof buffer : (size_t)remaining, 0);
        if (got <= 0) return -1;
        remaining -= got;
    }
    return status;
}

int main(void) {
    /* Signals as Lambda starts a runtime: none blocked. A parent's thread may have blocked SIGTERM (the emulator's
     * does, and the mask is inherited), and the emulator stops a runtime with SIGTERM. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    const char *colon = api != NULL ? strrchr(api, ':') : NULL;
    if (colon == NULL || (size_t)(colon - api) >= sizeof host || strlen(colon + 1) >= sizeof port) {
        fputs("floor: AWS_LAMBDA_RUNTIME_API must be host:port\n", stderr);
        return 1;
    }
    memcpy(host, api, (size_t)(colon - api));
    strcpy(port, colon + 1);
    char next[512], response[512], request_id[256];
    int next_length = snprintf(
        next, sizeof next, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
    for (int failures = 0; failures < 3;) {
        if (exchange(next, (size_t)next_length, request_id, sizeof request_id) != 200) {
            disconnect();
            failures++;
            continue;
        }
        int length = snprintf(
            response, sizeof response,
            "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
            request_id, api);
        if (length < 0 || (size_t)length >= sizeof response || exchange(response, (size_t)length, NULL, 0) != 202) {
            disconnect();
            failures++;
            continue;
        }
        failures = 0;
    }
    fputs("floor: the Runtime API failed three times in a row\n", stderr);
    return 1;
}
