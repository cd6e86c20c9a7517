// label: clean
#include <ctype.h>
#include <stdio.h>

/* Count letters, words and lines on standard input, like wc. */
int main(void) {
    long chars = 0, words = 0, lines = 0;
    int c, in_word = 0;
    long letters[26] = {0};
    while ((c = getchar()) != EOF) {
        chars++;
        if (c == '\n') lines++;
        if (isalpha(c)) letters[tolower(c) - 'a']++;
        if (isspace(c)) in_word = 0;
        else if (!in_word) {
            in_word = 1;
            words++;
        }
    }
    printf("%ld %ld %ld\n", lines, words, chars);
    for (int i = 0; i < 26; i++)
        if (letters[i]) printf("%c %ld\n", 'a' + i, letters[i]);
    return 0;
}
