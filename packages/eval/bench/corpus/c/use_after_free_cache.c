// label: vulnerable CWE-416
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    char key[32];
    int value;
};

static struct entry *last;

struct entry *make_entry(const char *key, int value) {
    struct entry *e = malloc(sizeof *e);
    if (!e) return NULL;
    snprintf(e->key, sizeof e->key, "%s", key);
    e->value = value;
    last = e;
    return e;
}

void drop_entry(struct entry *e) {
    free(e);
}

int main(void) {
    struct entry *e = make_entry("answer", 42);
    if (!e) return 1;
    drop_entry(e);
    printf("last key %s = %d\n", last->key, last->value);
    return 0;
}
