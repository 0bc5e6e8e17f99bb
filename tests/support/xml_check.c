#include "support/xml_check.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64
#define MAX_NAME  64

struct parser {
	const char *p, *text;
	char open[MAX_DEPTH][MAX_NAME];
	int depth, roots;
	char *buf;
	size_t len;
};

static const char *fail(struct parser *x, const char *what)
{
	snprintf(x->buf, x->len, "%s at byte %ld", what, (long)(x->p - x->text));
	return x->buf;
}

static size_t name_length(const char *p)
{
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || strchr("_:-.", p[n]))
		n++;
	return p[0] && !isdigit((unsigned char)p[0]) && p[0] != '-' ? n : 0;
}

/* An entity at p ("&amp;" ...): its length, or 0 if it is not one. */
static size_t entity_length(const char *p)
{
	static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
	size_t n = 2;

	for (size_t i = 0; i < 5; i++)
		if (strncmp(p, named[i], strlen(named[i])) == 0)
			return strlen(named[i]);
	if (strncmp(p, "&#", 2) != 0)
		return 0;
	if (p[2] == 'x')
		n++;
	while (isxdigit((unsigned char)p[n]))
		n++;
	return p[n] == ';' && n > 2 ? n + 1 : 0;
}

/* Character data up to the next '<' (or the closing quote). */
static const char *check_chars(struct parser *x, char stop)
{
	while (*x->p && *x->p != stop && *x->p != '<') {
		if (*x->p == '&') {
			size_t n = entity_length(x->p);
			if (!n)
				return fail(x, "bare &");
			x->p += n;
		} else {
			x->p++;
		}
	}
	if (stop != '<' && *x->p != stop)
		return fail(x, "unterminated attribute value");
	return NULL;
}

static const char *check_attributes(struct parser *x)
{
	for (;;) {
		size_t n;
		char quote;
		const char *err;

		while (isspace((unsigned char)*x->p))
			x->p++;
		if (*x->p == '>' || strncmp(x->p, "/>", 2) == 0)
			return NULL;
		n = name_length(x->p);
		if (!n)
			return fail(x, "bad attribute name");
		x->p += n;
		if (*x->p++ != '=' || (*x->p != '"' && *x->p != '\''))
			return fail(x, "attribute without a quoted value");
		quote = *x->p++;
		err = check_chars(x, quote);
		if (err)
			return err;
		x->p++;
	}
}

static const char *check_tag(struct parser *x)
{
	bool closing = x->p[1] == '/';
	size_t n;
	const char *err;

	x->p += closing ? 2 : 1;
	n = name_length(x->p);
	if (!n || n >= MAX_NAME)
		return fail(x, "bad element name");
	if (closing) {
		if (x->depth == 0 || strlen(x->open[x->depth - 1]) != n ||
		    strncmp(x->open[x->depth - 1], x->p, n) != 0)
			return fail(x, "closing tag does not match");
		x->depth--;
		x->p += n;
		return *x->p++ == '>' ? NULL : fail(x, "bad closing tag");
	}
	if (x->depth == 0 && x->roots++ > 0)
		return fail(x, "a second root element");
	if (x->depth == MAX_DEPTH)
		return fail(x, "too deep");
	memcpy(x->open[x->depth], x->p, n);
	x->open[x->depth][n] = '\0';
	x->p += n;
	if ((err = check_attributes(x)))
		return err;
	if (*x->p == '/')
		x->p += 2;
	else {
		x->p++;
		x->depth++;
	}
	return NULL;
}

/* <?...?> and <!--...-->: skipped whole. */
static const char *skip_special(struct parser *x, const char *open, const char *close)
{
	const char *end = strstr(x->p + strlen(open), close);

	if (!end)
		return fail(x, "unterminated declaration or comment");
	x->p = end + strlen(close);
	return NULL;
}

const char *xml_check(const char *text, char *buf, size_t len)
{
	struct parser x = {.p = text, .text = text, .buf = buf, .len = len};
	const char *err = NULL;

	while (!err && *x.p) {
		if (strncmp(x.p, "<?", 2) == 0)
			err = skip_special(&x, "<?", "?>");
		else if (strncmp(x.p, "<!--", 4) == 0)
			err = skip_special(&x, "<!--", "-->");
		else if (*x.p == '<')
			err = check_tag(&x);
		else if (x.depth == 0 && !isspace((unsigned char)*x.p))
			err = fail(&x, "text outside the root element");
		else
			err = check_chars(&x, '<');
	}
	if (!err && x.depth)
		err = fail(&x, "elements left open");
	if (!err && x.roots != 1)
		err = fail(&x, "no root element");
	return err;
}
