// The few ncurses macros and globals Swift cannot reach directly, wrapped as functions.
#ifndef NIGHTJAR_NCURSES_SHIM_H
#define NIGHTJAR_NCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncurses.h>

static inline WINDOW *nj_stdscr(void) { return stdscr; }
static inline int nj_color_pair(int n) { return COLOR_PAIR(n); }
static inline int nj_lines(void) { return LINES; }
static inline int nj_cols(void) { return COLS; }
static inline int nj_a_bold(void) { return A_BOLD; }
static inline int nj_a_underline(void) { return A_UNDERLINE; }
static inline int nj_a_reverse(void) { return A_REVERSE; }
static inline int nj_a_dim(void) { return A_DIM; }

#endif
