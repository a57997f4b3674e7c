"""The browser app: explore a street live, change it, and apply a what-if while it runs.

``cogov viz`` (:func:`cogov_sim.viz.serve.serve`) starts a Solara server on 127.0.0.1 with the page in
:mod:`cogov_sim.viz.app` (its layout), built from :mod:`~cogov_sim.viz.state` (the page's reactive state and its
build and play threads), :mod:`~cogov_sim.viz.control_panel` (the sidebar's cards), :mod:`~cogov_sim.viz.panels`
(the main area's panels) and :mod:`~cogov_sim.viz.whatif_panel` (the what-if form). The modules below the page
hold no Solara code and are tested without a browser:

- :mod:`~cogov_sim.viz.catalog`: the scenario files the app may open (shipped ones and those named on the command
  line; the browser only ever sends a name from this list, never a path);
- :mod:`~cogov_sim.viz.params`: the controls, generated from the scenario schema's fields and the loaded scenario;
- :mod:`~cogov_sim.viz.whatif`: the what-if forms, generated from the intervention registry;
- :mod:`~cogov_sim.viz.render`: the map, charts and network (one module each) drawn with the report's drawing
  functions, with the static layers cached so one frame stays cheap;
- :mod:`~cogov_sim.viz.session`: one browser session's run (model, overrides, what-ifs applied, frames).

The model never imports this package.
"""
