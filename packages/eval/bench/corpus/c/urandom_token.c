// label: clean
#include <stdio.h>
#include <stdlib.h>

/* Generate a session token of 32 hex characters from /dev/urandom. */
int make_token(char out[33]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[16];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f) return -1;
    size_t got = fread(raw, 1, sizeof raw, f);
    fclose(f);
    if (got != sizeof raw) return -1;
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[32] = '\0';
    return 0;
}

int main(void) {
    char tok[33];
    if (make_token(tok) != 0) return 1;
    puts(tok);
    return 0;
}
