// label: clean
#include <stdio.h>
#include <string.h>

#define MAXLEN 128

int copy_field(char *dst, const char *src, size_t src_len, int len) {
    if (len < 0 || len > MAXLEN || (size_t)len > src_len) return -1;
    memcpy(dst, src, (size_t)len);
    dst[len] = '\0';
    return len;
}

int main(void) {
    char out[MAXLEN + 1];
    char in[512];
    int len;
    if (scanf("%d", &len) != 1) return 1;
    size_t n = fread(in, 1, sizeof in, stdin);
    if (copy_field(out, in, n, len) >= 0) puts(out);
    return 0;
}
