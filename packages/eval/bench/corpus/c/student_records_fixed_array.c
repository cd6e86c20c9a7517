// label: vulnerable CWE-787
#include <stdio.h>
#include <string.h>

typedef struct {
    char name[50];
    int grade;
} student;

int main(void) {
    student s[100];
    int n = 0;
    char name[50];
    int grade;
    while (scanf("%49s %d", name, &grade) == 2) {
        strcpy(s[n].name, name);
        s[n].grade = grade;
        n++;
    }
    for (int i = 0; i < n; i++) printf("%-20s %3d\n", s[i].name, s[i].grade);
    return 0;
}
