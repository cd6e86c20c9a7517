// label: clean
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

unsigned char *load_pixels(FILE *f, uint32_t *w, uint32_t *h) {
    if (fread(w, sizeof *w, 1, f) != 1 || fread(h, sizeof *h, 1, f) != 1) return NULL;
    if (*w == 0 || *h == 0 || *w > 16384 || *h > 16384) return NULL;
    size_t size = (size_t)*w * *h * 3;
    unsigned char *px = malloc(size);
    if (!px) return NULL;
    if (fread(px, 1, size, f) != size) {
        free(px);
        return NULL;
    }
    return px;
}

int main(int argc, char **argv) {
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
    if (!f) return 1;
    uint32_t w, h;
    unsigned char *px = load_pixels(f, &w, &h);
    fclose(f);
    if (px) printf("%ux%u first pixel %u\n", w, h, px[0]);
    free(px);
    return 0;
}
