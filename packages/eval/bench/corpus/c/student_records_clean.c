// label: clean
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read student records "name grade" and print them sorted by grade. */
typedef struct {
    char name[50];
    int grade;
} student;

static int by_grade(const void *a, const void *b) {
    const student *x = a, *y = b;
    return y->grade - x->grade;
}

int main(void) {
    size_t cap = 8, n = 0;
    student *s = malloc(cap * sizeof *s);
    if (!s) return 1;
    char name[50];
    int grade;
    while (scanf("%49s %d", name, &grade) == 2) {
        if (n == cap) {
            cap *= 2;
            student *t = realloc(s, cap * sizeof *t);
            if (!t) {
                free(s);
                return 1;
            }
            s = t;
        }
        strcpy(s[n].name, name);
        s[n].grade = grade;
        n++;
    }
    qsort(s, n, sizeof *s, by_grade);
    for (size_t i = 0; i < n; i++) printf("%-20s %3d\n", s[i].name, s[i].grade);
    free(s);
    return 0;
}
