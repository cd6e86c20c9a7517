// label: clean
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Split a comma-separated line into a NULL-terminated array of fields. */
char **split_csv(const char *line, size_t *count) {
    size_t n = 1;
    for (const char *p = line; *p; p++)
        if (*p == ',') n++;
    char **fields = malloc((n + 1) * sizeof *fields);
    if (!fields) return NULL;
    char *copy = strdup(line);
    if (!copy) {
        free(fields);
        return NULL;
    }
    size_t i = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && i < n; tok = strtok_r(NULL, ",", &save)) fields[i++] = tok;
    fields[i] = NULL;
    *count = i;
    return fields;
}

int main(void) {
    char line[1024];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        size_t n = 0;
        char **f = split_csv(line, &n);
        if (!f) return 1;
        for (size_t i = 0; i < n; i++) printf("[%zu] %s\n", i, f[i]);
        free(n ? f[0] : NULL);
        free(f);
    }
    return 0;
}
