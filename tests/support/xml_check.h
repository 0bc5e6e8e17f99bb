/* xml_check: a minimal well-formedness check of XML text (one root element,
 * tags nested and closed, attributes quoted, only the five named entities
 * and character references), enough to hold our SVG output to XML without
 * a parser dependency. */
#ifndef XML_CHECK_H
#define XML_CHECK_H

#include <stddef.h>

/* NULL if text is well-formed, else what is wrong and where (in buf). */
const char *xml_check(const char *text, char *buf, size_t len);

#endif
