// label: vulnerable CWE-770
#include <alloca.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Echo a message whose length the client sends first. */
int main(void) {
    unsigned long n;
    if (scanf("%lu", &n) != 1) return 1;
    char *buf = alloca(n + 1);
    size_t got = fread(buf, 1, n, stdin);
    buf[got] = '\0';
    printf("%s\n", buf);
    return 0;
}
