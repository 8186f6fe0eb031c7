"""Read an admin change form as a browser would submit it: every named input, select and textarea."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = {}
        self._select = None
        self._select_multiple = False
        self._textarea = None

    def _add(self, name, value):
        if name in self.data:
            current = self.data[name]
            self.data[name] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            self.data[name] = value

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image"):
                self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in a
            if self._select_multiple:
                self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            if self._select_multiple:
                self.data[self._select].append(a.get("value", ""))
            else:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n") if not self.data[self._textarea] else data


def form_data(html, form_id):
    """The fields of the form `form_id` in `html`, as the test client's `post(data=...)` takes them."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return {k: v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}
