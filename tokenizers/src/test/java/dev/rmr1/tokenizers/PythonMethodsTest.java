package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Python str methods in templates; expected values are CPython 3.11's. */
class PythonMethodsTest {
  private static String render(String template) {
    return new ChatTemplate(template).render(List.of(), false, Map.of());
  }

  @Test
  void splitFamily() {
    assertEquals("['a', 'b  c  ']", render("{{ 'a b  c  '.split(none, 1)|tojson|replace('\"', \"'\") }}"));
    assertEquals("['a b ']", render("{{ ' a b '.split(none, 0)|tojson|replace('\"', \"'\") }}"));
    assertEquals("['a,b,', 'c']", render("{{ 'a,b,,c'.rsplit(',', 1)|tojson|replace('\"', \"'\") }}"));
    assertEquals("['a', '', 'b']", render("{{ 'a\\n\\nb\\n'.splitlines()|tojson|replace('\"', \"'\") }}"));
    assertEquals("[]", render("{{ ''.splitlines()|tojson }}"));
    assertEquals("['a', 'b', '', 'c.d']", render("{{ 'a.b..c.d'.split('.', 3)|tojson|replace('\"', \"'\") }}"));
  }

  @Test
  void caseAndStrip() {
    assertEquals("Hello World|They'Re Bill'S|Ab|ABC", render("{{ 'hello wORLD'.title() }}|{{ \"they're bill's\".title() }}|{{ 'aB'.capitalize() }}|{{ 'abc'.upper() }}"));
    assertEquals("b|xx|a b", render("{{ 'xxbxx'.strip('x') }}|{{ 'xxbxx'.rstrip('bx') or 'xx' }}|{{ '\\u3000 a b\\x1c'.strip() }}"));
    assertEquals("2|1|-1|a-b-c|B", render("{{ 'x'.count('') }}|{{ 'abab'.find('b') }}|{{ 'ab'.find('z') }}|{{ '-'.join(['a', 'b', 'c']) }}|{{ 'aba'.replace('a', '', 1)|upper|replace('A', '') }}"));
    assertEquals("True|False", render("{% if 'abc'.startswith(('x', 'a')) %}True{% endif %}|{% if not 'abc'.endswith('b') %}False{% endif %}"));
  }

  @Test
  void dictMethods() {
    assertEquals("a=1;b=2;|1|9|[\"a\", \"b\"]", render("{% set d = {'a': 1, 'b': 2} %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{{ d.get('a') }}|{{ d.get('z', 9) }}|{{ d.keys()|list|tojson }}"));
  }
}
