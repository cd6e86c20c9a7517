// label: clean
#include <stdio.h>
#include <string.h>

struct status {
    char text[32];
    int code;
};

/* Map a numeric code to a fixed message. */
void set_status(struct status *s, int code) {
    s->code = code;
    if (code == 0) strcpy(s->text, "ok");
    else if (code < 0) strcpy(s->text, "error");
    else strcpy(s->text, "warning");
}

int main(void) {
    struct status s;
    for (int c = -1; c <= 1; c++) {
        set_status(&s, c);
        printf("%d %s\n", s.code, s.text);
    }
    return 0;
}
