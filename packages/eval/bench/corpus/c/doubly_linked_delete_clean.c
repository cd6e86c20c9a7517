// label: clean
#include <stdio.h>
#include <stdlib.h>

typedef struct dnode {
    int val;
    struct dnode *prev, *next;
} dnode;

dnode *append(dnode *head, int val) {
    dnode *n = calloc(1, sizeof *n);
    if (!n) return head;
    n->val = val;
    if (!head) return n;
    dnode *t = head;
    while (t->next) t = t->next;
    t->next = n;
    n->prev = t;
    return head;
}

dnode *remove_all(dnode *head, int val) {
    dnode *p = head;
    while (p) {
        dnode *next = p->next;
        if (p->val == val) {
            if (p->prev) p->prev->next = next;
            else head = next;
            if (next) next->prev = p->prev;
            free(p);
        }
        p = next;
    }
    return head;
}

void free_all(dnode *h) {
    while (h) {
        dnode *n = h->next;
        free(h);
        h = n;
    }
}

int main(void) {
    dnode *h = NULL;
    for (int i = 0; i < 6; i++) h = append(h, i % 2);
    h = remove_all(h, 1);
    for (dnode *p = h; p; p = p->next) printf("%d ", p->val);
    putchar('\n');
    free_all(h);
    return 0;
}
