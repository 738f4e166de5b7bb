/*
 * lackey_demo: a tiny matrix multiply for a valgrind lackey memory trace.
 * C = A * B for N x N doubles on the heap: loads of A and B, stores and load-modify-stores of C.
 *
 * Build: gcc -O1 -g -o lackey_demo traces/src/lackey_demo.c
 * Trace: valgrind --tool=lackey --trace-mem=yes --log-file=lackey_demo.lackey.txt ./lackey_demo
 */
#include <stdio.h>
#include <stdlib.h>

enum { N = 32 };

int main(void) {
  double *a = malloc(sizeof(double) * N * N);
  double *b = malloc(sizeof(double) * N * N);
  double *c = calloc(N * N, sizeof(double));
  if (!a || !b || !c) return 1;
  for (int i = 0; i < N * N; i++) {
    a[i] = i % 7;
    b[i] = i % 5;
  }
  for (int i = 0; i < N; i++)
    for (int k = 0; k < N; k++)
      for (int j = 0; j < N; j++) c[i * N + j] += a[i * N + k] * b[k * N + j];
  double sum = 0;
  for (int i = 0; i < N * N; i++) sum += c[i];
  printf("lackey_demo: N=%d sum=%.0f\n", N, sum);
  free(a);
  free(b);
  free(c);
  return 0;
}
