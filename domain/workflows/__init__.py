"""Use cases across contexts (DESIGN.md §1 "contexts below, workflows above"): each calls the steps of
the contexts it touches, in the documented lock order. Contexts never import a workflow."""
