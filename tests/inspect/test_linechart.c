#include "emit/linechart.h"
#include "support/xml_check.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The picture of c as a string, for the caller to free. */
static char *draw(const struct linechart *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(linechart_write(c, f), 0);
	fclose(f);
	return text;
}

Test(linechart, draws_well_formed_lines_with_a_gap_for_a_missing_point)
{
	struct linechart c = {.title = "costs <&>", .npanels = 1};
	struct linechart_panel *p = &c.panels[0];
	char why[256], *text;
	int lines = 0;

	*p = (struct linechart_panel){.title = "CPU", .x_label = "fds", .y_label = "us"};
	p->series[0] = (struct linechart_series){.name = "poll", .colour = "#000000"};
	p->series[1] = (struct linechart_series){.name = "select", .colour = "#ff0000"};
	linechart_add(p, 0, 10, 2);
	linechart_add(p, 0, 100, 20);
	linechart_add(p, 0, 10000, 2000);
	linechart_add(p, 1, 10, 2);
	linechart_add(p, 1, 100, 0); /* missing */
	linechart_add(p, 1, 1000, 200);
	linechart_add(p, 1, 10000, 2000);
	text = draw(&c);
	cr_assert_null(xml_check(text, why, sizeof(why)), "%s\n%s", why, text);
	for (char *s = text; (s = strstr(s, "<polyline")); s++)
		lines++;
	/* poll: one line; select: broken in two by the missing point */
	cr_assert_eq(lines, 3, "%s", text);
	cr_assert_not_null(strstr(text, "costs &lt;&amp;&gt;"));
	cr_assert_not_null(strstr(text, ">10k<"), "%s", text);
	free(text);
}

Test(linechart, ignores_points_beyond_its_room)
{
	struct linechart_panel p = {0};

	for (int i = 0; i < LINECHART_MAX_POINTS + 5; i++)
		linechart_add(&p, 0, i + 1, 1);
	linechart_add(&p, LINECHART_MAX_SERIES, 1, 1);
	cr_assert_eq(p.series[0].n, LINECHART_MAX_POINTS);
	cr_assert_eq(p.nseries, 1);
}
