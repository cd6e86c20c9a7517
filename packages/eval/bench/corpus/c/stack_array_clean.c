// label: clean
#include <stdio.h>
#include <stdlib.h>

/* A stack of ints on a dynamic array, used to check balanced brackets. */
typedef struct {
    char *items;
    size_t top;
    size_t cap;
} stack_t_;

static int stack_init(stack_t_ *s, size_t cap) {
    s->items = malloc(cap * sizeof *s->items);
    s->top = 0;
    s->cap = cap;
    return s->items ? 0 : -1;
}

static int stack_push(stack_t_ *s, char c) {
    if (s->top == s->cap) {
        size_t ncap = s->cap * 2;
        char *p = realloc(s->items, ncap * sizeof *p);
        if (!p) return -1;
        s->items = p;
        s->cap = ncap;
    }
    s->items[s->top++] = c;
    return 0;
}

static int stack_pop(stack_t_ *s, char *out) {
    if (s->top == 0) return -1;
    *out = s->items[--s->top];
    return 0;
}

static int balanced(const char *text) {
    stack_t_ s;
    if (stack_init(&s, 16) != 0) return -1;
    int ok = 1;
    for (const char *p = text; *p && ok; p++) {
        char open;
        switch (*p) {
        case '(': case '[': case '{':
            if (stack_push(&s, *p) != 0) ok = -1;
            break;
        case ')': ok = stack_pop(&s, &open) == 0 && open == '('; break;
        case ']': ok = stack_pop(&s, &open) == 0 && open == '['; break;
        case '}': ok = stack_pop(&s, &open) == 0 && open == '{'; break;
        default: break;
        }
    }
    if (ok == 1 && s.top != 0) ok = 0;
    free(s.items);
    return ok;
}

int main(void) {
    char line[256];
    while (fgets(line, sizeof line, stdin)) printf("%s\n", balanced(line) == 1 ? "balanced" : "unbalanced");
    return 0;
}
