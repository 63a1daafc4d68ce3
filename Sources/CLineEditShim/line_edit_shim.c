#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <editline/readline.h>
#include "line_edit_shim.h"

static takt_completion_generator current_generator = NULL;

static char *generator_trampoline(const char *text, int state) {
    return current_generator ? current_generator(text, state) : NULL;
}

static char **attempted_completion(const char *text, int start, int end) {
    (void)start;
    (void)end;
    // Never fall back to file-name completion.
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, generator_trampoline);
}

void takt_line_edit_init(const char *program_name, takt_completion_generator generator) {
    rl_readline_name = program_name;
    current_generator = generator;
    rl_attempted_completion_function = attempted_completion;
    // '.' stays inside a word so that "m1.pro" completes to a property.
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{([,+-*/%";
    using_history();
}

char *takt_line_edit_read(const char *prompt) {
    return readline(prompt);
}

void takt_line_edit_add_history(const char *line) {
    add_history(line);
}

int takt_line_edit_load_history(const char *path) {
    return read_history(path);
}

int takt_line_edit_save_history(const char *path, int keep) {
    stifle_history(keep);
    return write_history(path);
}

const char *takt_line_edit_buffer(void) {
    return rl_line_buffer ? rl_line_buffer : "";
}
