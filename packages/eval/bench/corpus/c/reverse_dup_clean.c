// label: clean
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *reverse_dup(const char *s) {
    size_t n = strlen(s);
    char *r = malloc(n + 1);
    if (r == NULL) return NULL;
    for (size_t i = 0; i < n; i++) r[i] = s[n - 1 - i];
    r[n] = '\0';
    return r;
}

int main(void) {
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *r = reverse_dup(line);
        if (!r) {
            perror("malloc");
            return 1;
        }
        puts(r);
        free(r);
    }
    return 0;
}
