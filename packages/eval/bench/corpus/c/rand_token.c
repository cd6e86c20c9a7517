// label: vulnerable CWE-338
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Generate a session token of 32 hex characters. */
void make_token(char out[33]) {
    static const char hex[] = "0123456789abcdef";
    srand((unsigned)time(NULL));
    for (int i = 0; i < 32; i++) out[i] = hex[rand() % 16];
    out[32] = '\0';
}

int main(void) {
    char tok[33];
    make_token(tok);
    puts(tok);
    return 0;
}
