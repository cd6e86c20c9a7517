// label: clean
#include <stdio.h>
#include <string.h>

int get_host(const char *request, char *out, size_t outlen) {
    const char *p = strstr(request, "\r\nHost: ");
    if (!p || outlen == 0) return -1;
    p += 8;
    size_t i = 0;
    while (p[i] && p[i] != '\r' && i + 1 < outlen) {
        out[i] = p[i];
        i++;
    }
    out[i] = '\0';
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
