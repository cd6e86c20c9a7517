// label: clean
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Count word frequencies with a chained hash table. */
#define BUCKETS 1024

struct item {
    char *word;
    int count;
    struct item *next;
};

static unsigned long hash(const char *s) {
    unsigned long h = 5381;
    for (; *s; s++) h = h * 33 + (unsigned char)*s;
    return h;
}

static int add(struct item **table, const char *word) {
    unsigned long b = hash(word) % BUCKETS;
    for (struct item *it = table[b]; it; it = it->next) {
        if (strcmp(it->word, word) == 0) {
            it->count++;
            return 0;
        }
    }
    struct item *it = malloc(sizeof *it);
    if (!it) return -1;
    it->word = strdup(word);
    if (!it->word) {
        free(it);
        return -1;
    }
    it->count = 1;
    it->next = table[b];
    table[b] = it;
    return 0;
}

int main(void) {
    struct item **table = calloc(BUCKETS, sizeof *table);
    if (!table) return 1;
    char word[128];
    while (scanf("%127s", word) == 1) {
        if (add(table, word) != 0) break;
    }
    for (int b = 0; b < BUCKETS; b++) {
        struct item *it = table[b];
        while (it) {
            struct item *next = it->next;
            printf("%s %d\n", it->word, it->count);
            free(it->word);
            free(it);
            it = next;
        }
    }
    free(table);
    return 0;
}
