// label: vulnerable CWE-121
#include <stdio.h>
#include <string.h>

/* Extract the Host header value from a raw HTTP request. */
int get_host(const char *request, char *out, size_t outlen) {
    char host[64];
    const char *p = strstr(request, "\r\nHost: ");
    if (!p) return -1;
    p += 8;
    int i = 0;
    while (p[i] && p[i] != '\r') {
        host[i] = p[i];
        i++;
    }
    host[i] = '\0';
    snprintf(out, outlen, "%s", host);
    return 0;
}

int main(void) {
    char req[2048];
    size_t n = fread(req, 1, sizeof req - 1, stdin);
    req[n] = '\0';
    char host[64];
    if (get_host(req, host, sizeof host) == 0) printf("host: %s\n", host);
    return 0;
}
