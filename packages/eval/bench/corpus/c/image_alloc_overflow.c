// label: vulnerable CWE-190
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read a tiny raw image header (width, height as ints) and allocate its pixels. */
unsigned char *load_pixels(FILE *f, int *w, int *h) {
    if (fread(w, sizeof *w, 1, f) != 1 || fread(h, sizeof *h, 1, f) != 1) return NULL;
    int size = *w * *h * 3;
    unsigned char *px = malloc(size);
    if (!px) return NULL;
    if (fread(px, 1, (size_t)*w * *h * 3, f) == 0) {
        free(px);
        return NULL;
    }
    return px;
}

int main(int argc, char **argv) {
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
    if (!f) return 1;
    int w, h;
    unsigned char *px = load_pixels(f, &w, &h);
    fclose(f);
    if (px) printf("%dx%d first pixel %u\n", w, h, px[0]);
    free(px);
    return 0;
}
