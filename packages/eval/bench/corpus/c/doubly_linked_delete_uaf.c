// label: vulnerable CWE-416
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

/* Remove every node with the given value. */
dnode *remove_all(dnode *head, int val) {
    for (dnode *p = head; p; p = p->next) {
        if (p->val == val) {
            if (p->prev) p->prev->next = p->next;
            else head = p->next;
            if (p->next) p->next->prev = p->prev;
            free(p);
        }
    }
    return head;
}

int main(void) {
    dnode *h = NULL;
    for (int i = 0; i < 6; i++) h = append(h, i % 2);
    h = remove_all(h, 1);
    for (dnode *p = h; p; p = p->next) printf("%d ", p->val);
    putchar('\n');
    return 0;
}
