/*
 * weft's CNI plugin executable: a shim that hands each call to weftd, which does the work.
 *
 * A runtime runs this program for every ADD, DEL, CHECK, GC, STATUS and VERSION. Starting a JVM
 * per call would cost more than the whole attach, so the shim forwards the call as it is: the
 * network configuration read from stdin becomes the body of POST /v1/cni on weftd's Unix socket
 * (WEFT_CNI_SOCKET, else /run/weft/weft.sock), each CNI_* variable that is set becomes a header
 * (CNI-Command, CNI-ContainerID, CNI-Netns, CNI-Ifname, CNI-Args, CNI-Path). weftd answers 200
 * with what goes to stdout (a result, or nothing) or another status with a CNI error object; the
 * shim prints the body and exits 0 or 1, as the reference plugins do.
 *
 * When weftd cannot be reached the shim answers on its own, in the specification's error form:
 * code 50 ("plugin not available") for STATUS, code 11 ("try again later") otherwise. VERSION
 * needs no daemon. Bad environment (a value with a line break, a missing CNI_COMMAND) is code 4,
 * an unreadable stdin code 5.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_INPUT (1 << 20)
#define DEFAULT_SOCKET "/run/weft/weft.sock"
#define SUPPORTED "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"

static const char *ENV_HEADERS[][2] = {
    {"CNI_COMMAND", "CNI-Command"}, {"CNI_CONTAINERID", "CNI-ContainerID"}, {"CNI_NETNS", "CNI-Netns"},
    {"CNI_IFNAME", "CNI-Ifname"},   {"CNI_ARGS", "CNI-Args"},               {"CNI_PATH", "CNI-Path"},
};

/* The cniVersion of the input, for answers the shim gives itself; "1.1.0" when there is none. */
static void input_version(const char *in, char *out, size_t size) {
    snprintf(out, size, "1.1.0");
    const char *k = in ? strstr(in, "\"cniVersion\"") : NULL;
    if (!k) return;
    k += strlen("\"cniVersion\"");
    while (*k == ' ' || *k == '\t' || *k == '\n' || *k == '\r' || *k == ':') k++;
    if (*k != '"') return;
    const char *end = strchr(k + 1, '"');
    if (!end || (size_t)(end - k - 1) >= size || end - k - 1 == 0) return;
    for (const char *c = k + 1; c < end; c++)
        if (!((*c >= '0' && *c <= '9') || *c == '.')) return;
    memcpy(out, k + 1, end - k - 1);
    out[end - k - 1] = 0;
}

static int fail(const char *version, int code, const char *msg, const char *details) {
    printf("{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":\"%s\",\"details\":\"%s\"}\n", version, code, msg, details);
    return 1;
}

static char *read_stdin(size_t *len) {
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) return NULL;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_INPUT) { free(buf); return NULL; }
            cap *= 2;
            char *b = realloc(buf, cap + 1);
            if (!b) { free(buf); return NULL; }
            buf = b;
        }
        ssize_t r = read(0, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { free(buf); return NULL; }
        if (r == 0) break;
        n += (size_t)r;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int connect_weftd(void) {
    const char *path = getenv("WEFT_CNI_SOCKET");
    if (!path || !*path) path = DEFAULT_SOCKET;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path)) return -1;
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct timeval tv = {.tv_sec = 300};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { close(fd); return -1; }
    return fd;
}

/* Sends the request; returns the HTTP status and the body (malloc'd) of weftd's answer, or -1. */
static int call_weftd(int fd, const char *input, size_t len, char **body, size_t *body_len) {
    char head[65536];
    int h = snprintf(head, sizeof head, "POST /v1/cni HTTP/1.1\r\nHost: weft\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n", len);
    for (size_t i = 0; i < sizeof ENV_HEADERS / sizeof ENV_HEADERS[0]; i++) {
        const char *v = getenv(ENV_HEADERS[i][0]);
        if (v) h += snprintf(head + h, sizeof head - (size_t)h, "%s: %s\r\n", ENV_HEADERS[i][1], v);
        if ((size_t)h >= sizeof head) return -2;
    }
    h += snprintf(head + h, sizeof head - (size_t)h, "\r\n");
    if ((size_t)h >= sizeof head) return -2;
    if (write_all(fd, head, (size_t)h) < 0 || write_all(fd, input, len) < 0) return -1;
    size_t cap = 16384, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) return -1;
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *b = realloc(buf, cap + 1);
            if (!b) { free(buf); return -1; }
            buf = b;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { free(buf); return -1; }
        if (r == 0) break;
        n += (size_t)r;
    }
    buf[n] = 0;
    int status;
    char *sep = strstr(buf, "\r\n\r\n");
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || !sep) { free(buf); return -1; }
    size_t off = (size_t)(sep + 4 - buf);
    *body_len = n - off;
    *body = buf;
    memmove(buf, buf + off, *body_len + 1);
    return status;
}

int main(void) {
    char version[32];
    const char *cmd = getenv("CNI_COMMAND");
    size_t len = 0;
    char *input = read_stdin(&len);
    input_version(input, version, sizeof version);
    if (!input) return fail(version, 5, "I/O failure", "cannot read the network configuration from stdin");
    if (!cmd || !*cmd) return fail(version, 4, "invalid environment variables", "CNI_COMMAND is not set");
    for (size_t i = 0; i < sizeof ENV_HEADERS / sizeof ENV_HEADERS[0]; i++) {
        const char *v = getenv(ENV_HEADERS[i][0]);
        if (v && strpbrk(v, "\r\n"))
            return fail(version, 4, "invalid environment variables", ENV_HEADERS[i][0]);
    }
    if (strcmp(cmd, "VERSION") == 0) {
        printf("{\"cniVersion\":\"%s\",\"supportedVersions\":" SUPPORTED "}\n", version);
        return 0;
    }
    int fd = connect_weftd();
    if (fd < 0) {
        if (strcmp(cmd, "STATUS") == 0)
            return fail(version, 50, "plugin not available", "weftd is not running (no answer on its socket)");
        return fail(version, 11, "try again later", "weftd is not running (no answer on its socket)");
    }
    char *body = NULL;
    size_t body_len = 0;
    int status = call_weftd(fd, input, len, &body, &body_len);
    close(fd);
    free(input);
    if (status == -2) return fail(version, 4, "invalid environment variables", "the CNI_* variables are too long");
    if (status < 0) {
        if (strcmp(cmd, "STATUS") == 0)
            return fail(version, 50, "plugin not available", "weftd did not answer");
        return fail(version, 11, "try again later", "weftd did not answer");
    }
    write_all(1, body, body_len);
    free(body);
    return status == 200 ? 0 : 1;
}
