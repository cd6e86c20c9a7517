// label: vulnerable CWE-195
#include <stdio.h>
#include <string.h>

#define MAXLEN 128

/* Copy a field whose length comes from the packet as a signed int. */
int copy_field(char *dst, const char *src, int len) {
    if (len > MAXLEN) return -1;
    memcpy(dst, src, len);
    dst[len < MAXLEN ? len : MAXLEN - 1] = '\0';
    return len;
}

int main(void) {
    char out[MAXLEN + 1];
    char in[512];
    int len;
    if (scanf("%d", &len) != 1) return 1;
    size_t n = fread(in, 1, sizeof in, stdin);
    (void)n;
    copy_field(out, in, len);
    puts(out);
    return 0;
}
