#ifndef TAKT_LINE_EDIT_SHIM_H
#define TAKT_LINE_EDIT_SHIM_H

// Small C wrappers over libedit's readline-compatible interface: Swift cannot call its
// variadic functions or assign its global function pointers directly.

/// Returns the next completion for `text` (a malloc'd string), or NULL when there are no more;
/// `state` is 0 on the first call for a word.
typedef char *(*takt_completion_generator)(const char *text, int state);

void takt_line_edit_init(const char *program_name, takt_completion_generator generator);
/// A line without its newline (free it), or NULL at end of input (Ctrl-D).
char *takt_line_edit_read(const char *prompt);
void takt_line_edit_add_history(const char *line);
int takt_line_edit_load_history(const char *path);
int takt_line_edit_save_history(const char *path, int keep);
/// The whole line being edited, for context-aware completion.
const char *takt_line_edit_buffer(void);

#endif
