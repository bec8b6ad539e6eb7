"""What the apps tell the kernel, filled in their ``AppConfig.ready()``.

The kernel (``redcross``) imports no app: the import engine, the blank template, the exports,
the demo and the import's undo find the apps' parts here instead (after NetBox's
``netbox/registry.py``). Each store is filled once at start-up; nothing writes to it afterwards.

- ``import_sheets``: (order, Sheet class); the template's sheets in ascending order. They are
  checked after the sheets defining what they name (``redcross.importing.check_order``).
- ``import_options``: (order, list name, callable, of_chapter): the closed lists the blank
  template offers as drop-downs, in order. The callable takes the chapter and returns the
  values; a list ``of_chapter`` (the chapter's own funds, drives, projects) is empty in the
  template without a chapter and accepts names the file itself adds.
- ``import_context``: callables ``(context)`` that put what the database already holds for the
  chapter into a new ``ImportContext`` (names defined, balances).
- ``import_rechecks``: callables ``(context, result)`` run once every record of an import is
  made, inside its transaction, adding problems that refuse the whole import.
- ``import_undone``: callables ``(batch, voided)`` run when a batch is undone, inside its
  transaction (``voided``: model → ids voided), voiding what the voided records take with them
  (by ``batch.undone_by``, who undoes it, already set) and bringing derived tables up to date.
- ``import_undo_checks``: callables ``(batch, voided)`` run after them, on the books as the whole
  undo leaves them; they refuse the undo with a ValidationError (which takes it all back).
- ``correction_hooks``: model → its ``redcross.corrections.CorrectionHooks``: what voiding,
  reversing and approving a record of that kind must also check or do.
- ``exports``: key → export class, every export a list page, a ledger or a job may name.
- ``demo_loaders``: (order, callable ``(chapters, users)``), run by ``load_demo`` in order.
- ``home_panels``: callables ``(request, access)`` returning a panel of the start pages (a dict
  with its ``template`` and what the template reads as ``panel``), or None; the staff start page
  and the figures' home page show them (disclosure: what is due and overdue).
"""


class Registry(dict):
    """The stores by name; a store is created once and never replaced or removed."""

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            raise KeyError(f"Invalid store: {key}") from None

    def __setitem__(self, key, value):
        raise TypeError("Cannot add stores to the registry after it is built")

    def __delitem__(self, key):
        raise TypeError("Cannot delete stores from the registry")


registry = Registry(
    {
        "import_sheets": [],
        "import_options": [],
        "import_context": [],
        "import_rechecks": [],
        "import_undo_checks": [],
        "import_undone": [],
        "correction_hooks": {},
        "exports": {},
        "demo_loaders": [],
        "home_panels": [],
    }
)


def register_import_sheet(sheet, *, order):
    """Adds an import sheet, placed in the template by ``order``."""
    if any(entry[1] is sheet for entry in registry["import_sheets"]):
        return
    registry["import_sheets"].append((order, sheet))
    registry["import_sheets"].sort(key=lambda entry: entry[0])


def register_import_option(name, values, *, order, of_chapter=False):
    """Adds the drop-down list ``name``: ``values(chapter)`` gives its entries (see ``import_options``)."""
    options = registry["import_options"]
    if any(entry[1] == name for entry in options):
        return
    options.append((order, name, values, of_chapter))
    options.sort(key=lambda entry: entry[0])


def register_export(key, export):
    """Names ``export`` by ``key`` (a key is a contract of pages and commands: it names one export)."""
    exports = registry["exports"]
    if key in exports and exports[key] is not export:
        raise ValueError(f"Export {key!r} is registered twice")
    exports[key] = export


def register_correction_hooks(model, hooks):
    """Names the ``CorrectionHooks`` of ``model``'s records."""
    registry["correction_hooks"][model] = hooks


def register_demo_loader(loader, *, order):
    """Adds a part of the demo, run after every part of a lower ``order``."""
    if any(entry[1] is loader for entry in registry["demo_loaders"]):
        return
    registry["demo_loaders"].append((order, loader))
    registry["demo_loaders"].sort(key=lambda entry: entry[0])


def sheets():
    """The import sheets in the order they are checked."""
    return [sheet for _order, sheet in registry["import_sheets"]]


def demo_loaders():
    """The parts of the demo in the order they are built."""
    return [loader for _order, loader in registry["demo_loaders"]]


def register(store, hook):
    """Adds ``hook`` to one of the lists of callables (``import_context``, ``import_rechecks``,
    ``import_undo_checks``, ``import_undone``, ``home_panels``), once."""
    hooks = registry[store]
    if hook not in hooks:
        hooks.append(hook)


def home_panels(request, access):
    """The panels the apps add to the start pages, for this request (those that return one)."""
    panels = (hook(request, access) for hook in registry["home_panels"])
    return [panel for panel in panels if panel]
