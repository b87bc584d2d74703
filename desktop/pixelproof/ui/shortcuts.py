"""The one registry of keyboard shortcuts (DESIGN.md §4): every action's id, menu text, default keys and
context are declared in ``DEFAULTS`` below; menus, tooltips, Help > Shortcuts, a Preferences editor and the
tests all read it. A new panel declares its actions here (or with ``REGISTRY.declare``) and makes them with
``make_action``; nothing else calls ``setShortcut``.

A user's own keys for an action are stored in the settings (``shortcuts/<id>``, a JSON list of portable
key strings; ``[]`` = no key) and win over the defaults; ``REGISTRY.set_keys`` changes them live in every
open window. Contexts say where a key acts: ``window`` (anywhere), ``labeling`` (only while the labeling view
is shown), ``review`` (only while the review view is shown), ``canvas`` (a tool or a gesture on the canvas:
listed for the user, not rebindable; ``takes`` names the keys the canvas handles itself, which no action may
have). The window says which view it shows (its ``VIEW_CONTEXT`` property, set by ``Shell.show_view``) and
the registry drops a labeling or review key pressed while another view is shown (``keep_to_context``): G
marked an image done, unseen, from the review view.
No two actions share a key: ``declare`` refuses a default key another action (or the canvas) has, and
``REGISTRY.conflicts()`` lists any left; a user's key wins over another action's default (an update may
give an action a default key the user already gave another), and of two user keys alike (a hand-edited
settings file) the first action declared keeps it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from pixelproof.core.key_map import keys_in_force, shared_keys
from pixelproof.ui.key_names import key_label
from pixelproof.ui.settings import json_value, settings
from pixelproof.ui.shortcut_entry import (
    CONTEXTS,
    Shortcut,
    Std,
    _,
    gesture,
    portable,
    shown_context,  # beside VIEW_CONTEXT, which it reads
)

ARROWS = ("Left", "Right", "Up", "Down")


DEFAULTS: list[Shortcut] = [
    # File
    # a new project is made over a folder of images: the item says "New Project", where a LabelMe or CVAT
    # user looks for it (the id stays: users' own keys are stored under it)
    _("file.open_folder", "&New Project from Folder…", ("Ctrl+Shift+O",)),
    _("file.from_video", "New Project from &Video…", (), note="writes a video file's frames into a folder "
      "(frame_000000.png, ... by frame number), then opens that folder as New Project from Folder does"),
    _("file.open", "&Open Project…", (Std.Open,)),
    _("file.add_images", "Add Ima&ges…", ("Ctrl+Shift+I",)),
    _("file.add_image_folder", "Add Image Fol&der…", ("Ctrl+Alt+I",)),
    _("file.add_video_frames", "Add Video &Frames…", (), note="writes a video file's frames into a "
      "subfolder of the project's folder named after the video, then adds them as Add Images does"),
    _("file.locate_images", "&Locate Missing Images…", ("Ctrl+Alt+L",)),
    _("file.save", "&Save", (Std.Save,)),
    _("file.save_as", "Save &As…", (Std.SaveAs,)),
    _("file.import", "&Import…", ("Ctrl+I",)),
    _("file.export", "&Export…", ("Ctrl+E",)),
    # Close and Quit spelled out: the standard keys differ by desktop (Qt gives Quit no key on Windows and
    # offscreen, Close Ctrl+F4 first there), so the generated table said "—" while Linux showed Ctrl+Q
    _("file.close", "&Close Project", ("Ctrl+W", "Ctrl+F4")),
    _("file.quit", "&Quit", ("Ctrl+Q",)),
    # Edit
    _("edit.undo", "&Undo", ("Ctrl+Z",)),
    _("edit.redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y")),
    _("edit.copy", "Cop&y", ("Ctrl+C",), "labeling"),
    _("edit.paste", "Pa&ste", ("Ctrl+V",), "labeling"),
    _("edit.duplicate", "Dupl&icate", ("Ctrl+D",), "labeling"),
    _("edit.delete", "&Delete", ("Del", "Backspace"), "labeling"),
    # CVAT's Ctrl+B and LabelMe's Keep Previous Annotation (Ctrl+P): a sequence's objects carried on
    _("edit.propagate", "Propa&gate…", ("Ctrl+B",), "labeling",
      note="copies of the selected objects on the next images of the Images list; CVAT's Ctrl+B"),
    _("edit.keep_previous", "&Keep Previous Objects", ("Ctrl+P",), "labeling",
      note="on: the next image, with no objects, gets the previous image's; LabelMe's Ctrl+P"),
    _("edit.fill_between_slices", "Fill &Between Slices", (), "labeling", note="the selected object's class "
      "on the volume's slices between two painted ones; 3D Slicer's Fill between slices"),
    # the Tracks menu's (``ui.tracks_menu``; ids from when they were Edit's: users' key maps name them)
    # a video labelled from scratch: the drawn object starts a track that its copies and Fill Between Frames
    # follow (CVAT draws in track mode instead); T as in track, no tool has it
    _("edit.new_track", "&New Track", ("T",), "labeling",
      note="the selected objects each start a track of their own (a new track_id); CVAT's track mode"),
    # CVAT shows a track's box on every frame, ready to drag: Ctrl+T puts the last selected track's there as a
    # key; Shift+T fills again after a key moved (T, Ctrl+T, Shift+T: the track keys; no tool has them)
    _("edit.track_box_here", "Track Box &Here", ("Ctrl+T",), "labeling", note="the last selected "
      "object's track on the frame shown, a key at its interpolated place, selected to drag; CVAT shows a "
      "track's box on every frame"),
    _("edit.fill_between_frames", "&Fill Between Frames", ("Shift+T",), "labeling", note="the selected "
      "object's track on the video's frames between two drawn ones, boxes, polygons and keypoints "
      "interpolated; CVAT's track mode"),
    # CVAT's Merge (M: Pre-label here) and Split (Alt+M: the Masks menu here): J as in join, X as in cut
    _("edit.merge_tracks", "&Merge Tracks", ("Alt+J",), "labeling", note="the picked tracks made one (the "
      "first's id): pick a track, then an object of the other on any frame; CVAT's M"),
    _("edit.split_track", "&Split Track Here", ("Alt+X",), "labeling", note="the selected object's "
      "track from the frame shown on given a new id; CVAT's Split (Alt+M)"),
    # CVAT's O (the review view's Difference Outlines here): Alt+O, as in out of view
    _("edit.track_leaves_view", "Track &Leaves View Here", ("Alt+O",), "labeling", note="the selected "
      "object's track out of view from the frame shown to its next key (no fill crosses it); again on that "
      "frame, with nothing selected, back in view; CVAT's O (outside)"),
    _("edit.select_all", "Select &All", (Std.SelectAll,), "labeling"),
    # CVAT's Tab / Shift+Tab (Tab goes through the panels here): one object after the other, to give each a
    # class (1-9), accept or reject it (K / J), delete or nudge it without leaving the canvas
    _("edit.next_object", "Select &Next Object", ("S",), "labeling",
      note="of the image, in the Annotations list's order, round from the last to the first; CVAT's Tab"),
    _("edit.previous_object", "Select Pre&vious Object", ("Shift+S",), "labeling", note="CVAT's Shift+Tab"),
    # CVAT's Q: the object stepped to with S marked as partly behind another without leaving the canvas
    _("edit.occluded", "&Occluded", ("Q",), "labeling",
      note="the selected objects' occluded flag on, or off when all have it; CVAT's Q"),
    # CVAT's L (L here is Show Labels, Ctrl+Shift+L Auto Window / Level): objects checked kept from a stray
    # drag, Delete or brush stroke; Alt+L, as no menu title has the mnemonic L
    _("edit.lock", "&Lock", ("Alt+L",), "labeling",
      note="the selected objects locked (not moved, resized, reshaped, painted, reclassified or deleted), "
      "or unlocked when all are; CVAT's L"),
    # CVAT's + / - (zoom is Ctrl+= / Ctrl+-): which of overlapping objects is drawn on top and clicked first
    # CVAT's and Label Studio's skeleton placing: the category's points clicked one after the other
    _("edit.place_keypoints", "Place Keypoints on Ob&ject", ("Alt+K",), "labeling",
      note="the selected object, without keypoints, given its category's (COCO keypoints, YOLO kpt_shape): "
           "click each in turn, Shift+Space skips one, Esc stops; one undo step"),
    _("edit.bring_to_front", "Bring &to Front", ("+",), "labeling",
      note="the selected objects over the others they overlap: first for a click, kept in mask exports; "
      "CVAT's +"),
    _("edit.send_to_back", "S&end to Back", ("-",), "labeling", note="under the others; CVAT's -"),
    _("edit.category", "Choose Category 1-9", tuple("123456789"), "labeling", editable=False),
    _("edit.preferences", "&Preferences…", ("Ctrl+,",)),
    # View
    _("view.fit", "&Fit Image", ("Ctrl+0",)),
    # a line scan (8192x1024) fitted whole is a strip a few % high: its height across the window instead
    _("view.fill", "Fill Window (Narrow Sid&e)", ("Ctrl+9",),
      note="from its left (or top) end: a line scan shown at a zoom where its defects show; pan along it"),
    # image editors keep a selection in view as they zoom; the wheel zooms at the cursor (CVAT)
    _("view.zoom_in", "Zoom &In", ("Ctrl+=", "Ctrl++"), note="about the selected objects while they are "
      "on screen, else about the pointer over the canvas, else about the window's centre"),
    _("view.zoom_out", "Zoom &Out", ("Ctrl+-",), note="about the same point as Zoom In"),
    _("view.actual_pixels", "&Actual Pixels", ("Ctrl+1",)),
    # the Annotations panel's double-click on a row, from the keys: a defect of a few pixels stepped to with S
    _("view.zoom_selection", "&Zoom to Selection", ("Z",), "labeling",
      note="the selected objects with their surroundings, as a double-click on an Annotations row"),
    _("view.keep_zoom", "&Keep Zoom When Changing Image", ("Ctrl+K",)),
    _("view.physical_aspect", "Pi&xels at Physical Aspect", ("Ctrl+Shift+A",),
      note="on: pixels that are not square, a CT's coronal slice's, drawn to scale by pixel_spacing"),
    # QuPath's and the slide viewers' navigator: a thumbnail in the canvas's corner while zoomed in
    _("view.overview", "O&verview", ("Ctrl+Alt+O",), "labeling",
      note="the whole image in the canvas's corner while zoomed in; click or drag in it to move there"),
    # CVAT's, LabelImg's and X-AnyLabeling's lines across the image through the pointer while B is in hand
    _("view.box_guides", "&Box Guide Lines", ("Shift+B",), "labeling", note="with the box tool (B)"),
    _("view.labels", "Show &Labels", ("L",), "labeling",
      note="names shown where they fit on screen, and on the hovered and selected objects"),
    # a slide's thousands of cells each named at a zoom that gives them room: QuPath colours cells by
    # class and names none; what is selected or under the pointer is still named
    _("view.labels_selected", "Labels on Selecte&d Objects Only", ("Shift+L",), "labeling",
      note="on: only the selected and hovered objects are named, the others told by their colour"),
    # every object hidden at once, to see the image under them (Ctrl+H is Fill Holes; CVAT and LabelMe have
    # no default key for it): drawing shows them again
    _("view.annotations", "&Show Annotations", ("H",), "labeling",
      note="off: none drawn, to see the image under them; drawing shows them again"),
    # CVAT's H hides the selected object (H here hides them all): to see or draw what is under one
    _("view.hide_objects", "&Hide Selected Objects", ("Shift+H",), "labeling",
      note="for the session, kept across images; picking one in the Annotations panel shows it again"),
    _("view.show_objects", "Show Hidde&n Objects", ("Alt+Shift+H",), "labeling",
      note="every object Shift+H hid, on every image"),
    _("view.hide_others", "Hide Other Ob&jects", ("Ctrl+Shift+H",), "labeling",
      note="every object of the image but the selected ones, as Shift+H hides them"),
    _("view.window_level", "&Window / Level…", ("Ctrl+L",)),
    _("view.auto_window", "A&uto Window / Level", ("Ctrl+Shift+L",)),
    # the session's status messages, kept (QGIS's Log Messages panel has no default key either)
    _("view.messages", "&Messages…", note="every status bar message of the session, with its time; "
      "a click on the status bar's message opens them too"),
    _("view.reset_layout", "&Reset Layout", note="every panel and tool bar back in its first place"),
    # View > Panels: each dock's own show / hide item (``panel_actions``), keyed as "Alt+Shift+its initial";
    # the labeling view's docks only: the review view hides them (Qt Creator's Alt+digit are image states)
    _("panels.images", "Show / Hide &Images Panel", ("Alt+Shift+I",), "labeling"),
    _("panels.categories", "Show / Hide &Categories Panel", ("Alt+Shift+C",), "labeling"),
    _("panels.annotations", "Show / Hide &Annotations Panel", ("Alt+Shift+A",), "labeling"),
    _("panels.properties", "Show / Hide &Properties Panel", ("Alt+Shift+P",), "labeling"),
    _("panels.history", "Show / Hide &History Panel", (), "labeling"),
    _("panels.guidelines", "Show / Hide &Guidelines Panel", ("Alt+Shift+G",), "labeling"),
    _("panels.model", "Show / Hide &Model Panel", ("Alt+Shift+M",), "labeling"),
    _("panels.problems", "Show / Hide P&roblems Panel", (), "labeling", note="F6 shows it too"),
    # Tools (one per tool class: tool.<name>)
    # second keys: LabelMe's edit mode (Ctrl+J), create rectangle (Ctrl+R) and create polygon (Ctrl+N)
    _("tool.select", "&Select / Edit", ("V", "Ctrl+J"), "labeling"),
    _("tool.box", "&Box", ("B", "Ctrl+R"), "labeling"),
    _("tool.polygon", "&Polygon", ("P", "Ctrl+N"), "labeling"),
    _("tool.brush", "B&rush", ("R",), "labeling"),
    _("tool.eraser", "&Eraser", ("E",), "labeling"),
    _("tool.fill", "&Fill (Magic Wand)", ("F",), "labeling", note="not CVAT's next frame: that is D here"),
    _("tool.assist", "&Assist (Interactive Model)", ("I",), "labeling"),  # M also picks it
    _("tool.measure", "&Measure Distance", ("U",), "labeling"),  # rUler: M, R and L are taken
    # Image
    # D / A walk the Images panel's list as its filter shows it, and in the review view its Images table as
    # the reviewer sorted and filtered it (worst first): file order skipped about the list being read
    # a team from CVAT walks frames with F (next) and D (previous): the notes say so, found by "cvat", "frame"
    _("image.next", "&Next Image", ("D",), note="the next in the Images list as filtered; review view: "
      "the next row of its Images table, as sorted and filtered; CVAT's F, next frame"),
    _("image.previous", "&Previous Image", ("A",), note="the one above in the Images list; review view: "
      "the row above in its Images table; CVAT's D, previous frame"),
    _("image.find", "&Find Image…", ("Ctrl+F",), "labeling", note="types in the Images panel's filter: a "
      "name or a query; Enter shows the first image listed, unless the one shown is listed"),
    # CVAT's frame box: no default key (Ctrl+F finds by name; Preferences can give one)
    _("image.go_to_frame", "&Go to Frame…", (), "labeling", note="of the shown image's folder, by its "
      "number: frame_000030.png is 30, else 0, 1, ... in file order; CVAT's frame number box"),
    _("image.done_next", "Mark &Done and Next Image", ("G",), "labeling"),
    # CVAT's and Label Studio's "next unlabelled": the next image marked To Do or In Progress
    _("image.next_unfinished", "Ne&xt Image Not Done", ("Shift+G",), "labeling"),
    _("image.todo", "Mark as &To Do", ("Alt+1",), "labeling"),
    _("image.in_progress", "Mark as &In Progress", ("Alt+2",), "labeling"),
    _("image.done", "Mark as D&one", ("Alt+3",), "labeling"),
    _("image.reviewed", "Mark as &Reviewed", ("Alt+4",), "labeling"),
    _("image.pixel_limit", "Pixel &Limit…"),
    _("image.channel_ranges", "&Brightness / Contrast…", ("Shift+C",), "labeling"),  # QuPath's key
    # Volume (slices of NIfTI / DICOM volumes) and display windows for medical images; slices step in the
    # review view too, as a reader scrolls a series there
    _("image.next_slice", "&Next Slice", ("PgDown",)),
    _("image.previous_slice", "&Previous Slice", ("PgUp",)),
    # the same slice in the next / previous phase of a dynamic series or time point of a time series
    _("image.next_phase", "Next P&hase / Time Point", ("Ctrl+PgDown",)),
    _("image.previous_phase", "Previous Ph&ase / Time Point", ("Ctrl+PgUp",)),
    _("view.window_file", "&File's Window", ("Ctrl+Alt+0",)),
    _("view.preset_soft_tissue", "CT &Soft Tissue (400 / 40)", ("Ctrl+Alt+1",)),
    _("view.preset_lung", "CT &Lung (1500 / -600)", ("Ctrl+Alt+2",)),
    _("view.preset_bone", "CT &Bone (2500 / 480)", ("Ctrl+Alt+3",)),
    _("view.preset_brain", "CT B&rain (80 / 40)", ("Ctrl+Alt+4",)),
    _("view.preset_liver", "CT L&iver (150 / 90)", ("Ctrl+Alt+5",)),
    _("view.preset_mr_auto", "&MR (Auto)", ("Ctrl+Alt+6",)),
    # Masks
    _("masks.to_mask", "Convert to &Mask", ("Ctrl+Shift+M",), "labeling"),
    _("masks.to_polygon", "Convert to &Polygon…", ("Ctrl+Shift+P",), "labeling"),
    _("masks.merge", "Mer&ge Masks", ("Ctrl+G",), "labeling"),
    _("masks.split", "&Split into Islands", ("Ctrl+Shift+G",), "labeling"),
    _("masks.fill_holes", "&Fill Holes", ("Ctrl+H",), "labeling"),
    _("masks.brush_smaller", "Brush Smalle&r", ("[",), "labeling", note="wand in hand: its tolerance down"),
    _("masks.brush_larger", "Brush &Larger", ("]",), "labeling", note="wand in hand: its tolerance up"),
    _("masks.preserve_others", "Pr&eserve Other Annotations", ("Shift+P",), "labeling"),
    _("masks.wand_8", "Wand: &8-connected", ("Ctrl+8",), "labeling"),
    _("masks.wand_floating", "Wand: Floa&ting Range", ("Ctrl+Shift+F",), "labeling"),
    _("masks.outline_only", "&Outline Only", ("Shift+O",), "labeling"),
    # Model
    _("model.prelabel", "&Pre-label Image", ("M",), "labeling"),
    _("model.prelabel_all", "Pre-label &All Images", ("Shift+M",)),
    _("model.cancel", "&Cancel Pre-labeling", ("Ctrl+.",)),
    _("model.accept_selected", "Acc&ept Selected", ("K",), "labeling"),
    _("model.reject_selected", "&Reject Selected", ("J",), "labeling"),
    _("model.accept_all", "Accept All on &Image", ("Shift+K",), "labeling"),
    _("model.reject_all", "Reject All on I&mage", ("Shift+J",), "labeling"),
    _("model.reject_below", "Reject &Below Score", ("Ctrl+Shift+J",), "labeling"),
    _("model.accept_project", "Accept All Predictions in Pr&oject", ("Ctrl+Shift+K",), "labeling"),
    _("model.reject_below_project", "Reject Below Score in Projec&t", ("Ctrl+Alt+J",), "labeling"),
    _("model.reject_category_project", "Reject A&ll of a Class in Project", ("Alt+Shift+J",), "labeling"),
    # Problems (the Problems panel: lint's triage queue)
    _("lint.run", "F&ind Problems", ("F6",)),
    _("lint.cancel", "&Cancel Finding Problems", ("Shift+F6",)),
    _("lint.fix", "Apply the Suggested &Fix", ("Shift+F",), "labeling"),
    _("lint.dismiss", "&Not a Problem", ("X",), "labeling"),
    _("lint.next", "Ne&xt Problem", ("Shift+D",), "labeling"),
    _("lint.previous", "&Previous Problem", ("Shift+A",), "labeling"),
    _("lint.rules", "Lint &Rules…", ("Ctrl+F6",)),
    # Review
    _("review.toggle", "&Review View", ("Ctrl+Tab",)),
    _("review.choose_project", "Choose Reference &Project…", ("Ctrl+Shift+R",)),
    _("review.choose_folder", "Choose Reference &Dataset Folder…", ("Ctrl+Alt+R",)),
    _("review.run", "Re-run &QA", ("F5",), "review"),
    _("review.export_report", "E&xport Report…", note="pixelproof qa's report: HTML, JSON or a CSV"),
    _("review.all_versions", "S&core Every Annotator's Version", (), "review",
      note="every annotator's version of a merged project's overlap images scored, not only the "
      "consensus objects the team agreed; Export Report too"),
    _("review.accept_object", "&Accept Object", ("Ctrl+Return", "Ctrl+Enter"), "review"),
    _("review.reject_object", "Re&ject Object", ("Ctrl+Backspace",), "review"),
    _("review.accept_image", "Accept &Image", ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"), "review"),
    _("review.reject_image", "Reject Ima&ge", ("Ctrl+Shift+Backspace",), "review"),
    _("review.note", "Write a &Note", ("N",), "review"),
    _("review.outlines", "Difference &Outlines", ("O",), "review"),
    # a reviewer's queue, as CVAT's review walks issues (D / A walk the table as sorted, these by problem)
    _("review.next_problem", "N&ext Problem Object", (".",), "review",
      note="the next missed, extra or wrong-class object of the image, in the Objects table"),
    _("review.previous_problem", "Pre&vious Problem Object", (",",), "review"),
    _("review.next_worst", "Next &Worst Image", ("W",), "review",
      note="the next image with a problem, worst Dice first, whatever the table's sort; from an image "
      "without one, the worst; images accepted or rejected as a whole are passed over"),
    _("review.previous_worst", "Previous Wors&t Image", ("Shift+W",), "review"),
    _("review.annotators", "Annotators &Side by Side", ("Ctrl+Shift+Tab",)),
    # Teams
    _("teams.split", "S&plit for Annotators…", ("Ctrl+Alt+T",)),
    _("teams.merge", "&Merge Shards…", ("Ctrl+Alt+M",)),
    _("teams.restore", "Res&tore Left-Out Objects…", ("Ctrl+Alt+U",)),
    _("teams.name", "&Your Name…", ("Ctrl+Alt+N",)),  # Alt+F, N is New Project
    # Help
    _("help.demo", "Open &Demo Project", ("Ctrl+Shift+D",),
      note="the bundled demo, copied to your data folder as pixelproof demo does; your edits kept"),
    _("help.shortcuts", "&Shortcuts…", ("Ctrl+/", "F1")),
    _("help.about", "&About PixelProof"),
    # Mouse gestures and keys a tool handles itself (listed, not rebindable)
    gesture("canvas.zoom", "Zoom in / out at the cursor (Ctrl+wheel with Edit > Preferences > Mouse wheel: "
            "Scroll, or on a volume's slice with Step slices)", "Wheel", "Ctrl+wheel"),
    # LabelMe's wheel: it scrolls, Shift sideways, Ctrl zooms
    gesture("canvas.wheel_scroll", "Scroll up / down, left / right (a touchpad's swipe too), with Edit > "
            "Preferences > Mouse wheel: Scroll (LabelMe)", "Wheel", "Shift+wheel"),
    gesture("canvas.wheel_slices", "Next / previous slice of a volume (away from you: next), with Edit > "
            "Preferences > Mouse wheel on a volume slice: Step slices", "Wheel on a slice"),
    gesture("canvas.pan", "Pan", "Space + drag", "Middle drag", takes=("Space",)),
    gesture("canvas.window_level", "Window / level (right: wider, up: brighter)", "Right drag"),
    # LabelMe's and CVAT's canvas menu: a right click (no drag) on an object selects it and offers its actions
    gesture("canvas.object_menu", "The object's menu: Set Category, Copy, Paste, Duplicate, Lock, Occluded, "
            "Hide, Hide Other Objects, Zoom to Selection, Bring to Front, Send to Back, Delete (the object "
            "under the pointer selected first)", "Right-click"),
    gesture("canvas.select", "Select (click again: the next object under the pointer) / add to or remove "
            "from the selection", "Click", "Shift+click", "Ctrl+click"),
    gesture("canvas.rubber_band", "Select with a rubber band", "Drag on empty canvas"),
    gesture("canvas.resize", "Resize a box", "Drag a handle"),
    # LabelMe's edit mode and CVAT reshape a polygon where it is selected: V as P does
    gesture("canvas.vertex", "Reshape the selected polygon (V or P): move a vertex, add one, delete one",
            "Drag a vertex", "Drag an edge (V), click an edge (P)", "Right-click a vertex"),
    # CVAT's and X-AnyLabeling's points: dragged where they are; V (select) then Shift+V for visibility
    gesture("canvas.keypoint", "Move a keypoint (V; a press selects its object)", "Drag a keypoint"),
    gesture("canvas.keypoint_visibility", "The keypoint under the pointer: visible, occluded, not labelled "
            "(a faint cross on its selected object), visible again (V)", "Shift+V", takes=("Shift+V",)),
    gesture("canvas.keypoint_skip", "Skip the keypoint to place next (not labelled) in Edit > Place "
            "Keypoints", "Shift+Space", takes=("Shift+Space",)),
    gesture("canvas.nudge", "Move the selection by 1 px / 10 px (every tool)", "Arrows", "Shift+arrows",
            takes=(*ARROWS, *(f"Shift+{k}" for k in ARROWS))),
    gesture("canvas.cancel", "Cancel the drawing in progress, else a Fill Between Frames running in the "
            "background, else clear the selection", "Esc", takes=("Esc",)),
    gesture("canvas.brush_size", "Brush size (brush and eraser) or the wand's tolerance (wand), whatever the "
            "Mouse wheel setting", "Shift+wheel"),
    gesture("canvas.brush_line", "Straight line from where the last stroke ended, into its mask",
            "Brush / eraser: Shift+click"),
    # QuPath's brush erases with Alt held: a slip taken back without E and R
    gesture("canvas.brush_erase", "Erase with the brush (as the eraser: the selected mask, else the one the "
            "drag starts on)", "Brush: Alt+drag"),
    gesture("review.center", "Centre the three views on an object", "Review: click an object row"),
    gesture("review.pan", "Pan all three views / fit the image", "Review: drag / double-click"),
    gesture("review.window_level", "Window / level of all three views (kept for the volume's slices)",
            "Review: right drag"),
]  # fmt: skip


def _declared_keys(entry: Shortcut) -> set[str | QKeySequence.StandardKey]:
    """The keys ``entry`` declares, as Qt reads them ("x" is X): two actions on one key are refused where
    they are declared, since Qt then runs neither ("ambiguous shortcut"). A platform standard key is
    compared as itself (its keys are known only once the app runs; ``conflicts()`` checks those)."""
    if entry.context == "canvas":
        return set(entry.takes)
    return {portable(QKeySequence(k)) if isinstance(k, str) else k for k in entry.keys}


class ShortcutRegistry(QObject):
    """The declared shortcuts, the user's overrides (settings) and the live actions bound to them."""

    changed = Signal(str)  # id whose keys changed

    def __init__(self, shortcuts: Iterable[Shortcut] = ()) -> None:
        super().__init__()
        self._entries: dict[str, Shortcut] = {}
        self._bound: dict[str, list[QAction]] = {}
        self._defaults: dict[str, list[str]] | None = None  # default_keys(), kept until a declaration
        self._fixed: dict[str, str] | None = None
        for s in shortcuts:
            self.declare(s)

    def declare(self, shortcut: Shortcut) -> Shortcut:
        if shortcut.id in self._entries:
            raise ValueError(f"shortcut {shortcut.id!r} is declared twice")
        if shortcut.context not in CONTEXTS:
            raise ValueError(f"shortcut {shortcut.id!r}: unknown context {shortcut.context!r}")
        mine = _declared_keys(shortcut)
        for other in self._entries.values():
            if shared := mine & _declared_keys(other):
                key = ", ".join(sorted(map(str, shared)))
                raise ValueError(f"shortcut {shortcut.id!r}: {key} is {other.label}'s key already")
        self._entries[shortcut.id] = shortcut
        self._defaults = self._fixed = None
        return shortcut

    def get(self, id: str) -> Shortcut:
        return self._entries[id]

    def entries(self) -> list[Shortcut]:
        return list(self._entries.values())

    # -- keys ------------------------------------------------------------------------------------
    def user_keys(self) -> dict[str, list[str]]:
        """The user's keys (portable text) of each editable action that has its own, in declaration order;
        a settings value that is not a JSON list of strings counts as none (the defaults apply)."""
        s = settings()
        out: dict[str, list[str]] = {}
        for entry in self._entries.values():
            chosen = json_value(s.value(f"shortcuts/{entry.id}")) if entry.editable else None
            if isinstance(chosen, list) and all(isinstance(k, str) for k in chosen):
                out[entry.id] = [t for k in chosen if (t := portable(QKeySequence(k)))]
        return out

    def default_keys(self) -> dict[str, list[str]]:
        """Each editable action's default keys, as portable text (a standard key: this platform's); worked
        out once per declaration (every action's keys are worked out from them: 10x slower uncached)."""
        if self._defaults is None:
            self._defaults = {
                e.id: [portable(s) for s in e.default_sequences()]
                for e in self._entries.values()
                if e.editable
            }
        return dict(self._defaults)

    def fixed_keys(self) -> dict[str, str]:
        """Keys no user key may take, with the id that has each: the canvas's own and those that cannot
        be changed (1-9)."""
        if self._fixed is None:
            self._fixed = {k: e.id for e in self._entries.values() if e.context == "canvas" for k in e.takes}
            for e in self._entries.values():
                if not e.editable and e.context != "canvas":
                    self._fixed.update((portable(s), e.id) for s in e.default_sequences())
        return dict(self._fixed)

    def in_force(self) -> dict[str, list[str]]:
        """Every editable action's keys in force (``core.key_map.keys_in_force``: the user's, else the
        defaults; never a key another action's user key, an earlier action's user key or the canvas has)."""
        return keys_in_force(self.default_keys(), self.user_keys(), self.fixed_keys())

    def sequences(self, id: str) -> list[QKeySequence]:
        """The keys in force of ``id`` (see ``in_force``)."""
        entry = self._entries[id]
        if not entry.editable:
            return entry.default_sequences()
        return [QKeySequence(k) for k in self.in_force()[id]]

    def text(self, id: str) -> str:
        """The keys for a person to read: native text, " / " between alternatives."""
        entry = self._entries[id]
        if not entry.editable and not all(isinstance(k, QKeySequence.StandardKey) for k in entry.keys):
            return " / ".join(str(k) for k in entry.keys)
        return " / ".join(key_label(s) for s in self.sequences(id))

    def set_keys(self, id: str, keys: list[str] | None) -> None:
        """The user's keys for ``id`` (None: back to the defaults), saved and applied to open windows."""
        entry = self._entries[id]
        if not entry.editable:
            raise ValueError(f"{entry.label}: these keys cannot be changed")
        s = settings()
        if keys is None:
            s.remove(f"shortcuts/{id}")
        else:
            s.setValue(f"shortcuts/{id}", json.dumps([portable(QKeySequence(k)) for k in keys]))
        s.sync()
        for act in self._live(id):
            self._apply(act, id)
        self.changed.emit(id)

    def replace_user_keys(self, users: dict[str, list[str]]) -> None:
        """All the user's keys at once (an imported key map; ``{}``: every action's defaults), saved, then
        applied to open windows: a team's layout replaces the user's own whole."""
        s = settings()
        for entry in self._entries.values():
            if entry.editable and entry.id in users:
                s.setValue(f"shortcuts/{entry.id}", json.dumps(users[entry.id]))
            elif entry.editable:
                s.remove(f"shortcuts/{entry.id}")
        s.sync()
        for id in self._entries:
            for act in self._live(id):
                self._apply(act, id)
            self.changed.emit(id)

    def conflicts(self) -> list[tuple[str, list[str]]]:
        """(key, ids) for every key two actions share. Qt finds an action's key window-wide before the
        registry drops one out of its view, so two actions on a key clash even in different contexts
        (gestures aside)."""
        return shared_keys(
            {
                e.id: e.takes if e.context == "canvas" else map(portable, self.sequences(e.id))
                for e in self.entries()
            }
        )

    def owner_of(self, seq: QKeySequence, but: str | None = None) -> Shortcut | None:
        """The action or canvas gesture (other than ``but``) whose keys include ``seq``: a key does one
        thing only."""
        wanted = portable(seq)
        for entry in self._entries.values():
            if entry.id == but:
                continue
            keys = entry.takes if entry.context == "canvas" else map(portable, self.sequences(entry.id))
            if wanted in keys:
                return entry
        return None

    # -- actions ---------------------------------------------------------------------------------
    def bind(self, action: QAction, id: str) -> QAction:
        """Give ``action`` the keys of ``id`` now and whenever they change."""
        action.setProperty("shortcut_id", id)
        self.keep_to_context(action)
        self._bound.setdefault(id, []).append(action)
        self._apply(action, id)
        return action

    def keep_to_context(self, action: QAction) -> None:
        """``action``'s keys act only while its window shows the view of its context (labeling, review);
        bound actions get this, and an action keyed by hand with a ``shortcut_id`` (the digits) asks."""
        action.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Drop a labeling key pressed while the review view is shown (and a review key while it is not):
        the key did its work on a view nobody saw. A menu click still acts (its item says where it is)."""
        if event.type() != QEvent.Type.Shortcut or not isinstance(watched, QAction):
            return False
        entry = self._entries.get(str(watched.property("shortcut_id")))
        if entry is None or entry.context not in ("labeling", "review"):
            return False
        shown = shown_context(watched)
        return shown is not None and shown != entry.context

    def _live(self, id: str) -> list[QAction]:
        alive = [a for a in self._bound.get(id, []) if shiboken6.isValid(a)]
        self._bound[id] = alive
        return alive

    def _apply(self, action: QAction, id: str) -> None:
        """The keys in force, the menu's shortcut column naming a punctuation key (``key_label``: the
        text after a tab is what QMenu draws there instead of the key's glyph), the tooltip."""
        keys = self.sequences(id)
        action.setShortcuts(keys)
        name = action.text().partition("\t")[0]
        shown = key_label(keys[0]) if keys else ""
        named = bool(keys) and shown != keys[0].toString(QKeySequence.SequenceFormat.NativeText)
        if named:
            action.setIconText(name.replace("&", "").replace("…", ""))  # a toolbar's text: no key
        action.setText(f"{name}\t{shown}" if named else name)
        describe(action, action.property("tip_text") or "")

    def rows(self) -> list[tuple[str, str, Shortcut]]:
        """(keys, what, entry) for Help > Shortcuts: every action (those the user left without a key too, as
        "—"), then the gestures; the entry says where they act (``Shortcut.where``)."""
        rows = [
            (self.text(e.id) or "—", e.described, e) for e in self._entries.values() if e.context != "canvas"
        ]
        return rows + [
            (self.text(e.id), e.described, e) for e in self._entries.values() if e.context == "canvas"
        ]

    def markdown_table(self) -> str:
        """The default key map as README's table (a test checks README against it)."""
        lines = ["| keys | action | where |", "|---|---|---|"]
        for e in self._entries.values():
            keys = " / ".join(
                portable(QKeySequence(k)) if isinstance(k, QKeySequence.StandardKey) else str(k)
                for k in e.keys
            )
            lines.append(f"| {keys or '—'} | {e.described} | {e.context} |")
        return "\n".join(lines) + "\n"


REGISTRY = ShortcutRegistry(DEFAULTS)


def describe(act: QAction, tip: str = "") -> None:
    """Tooltip = name, its keys in brackets, and a hint: the key map shows where users look."""
    act.setProperty("tip_text", tip)
    name = act.text().partition("\t")[0].replace("&", "").replace("…", "")  # the menu's key column left out
    keys = key_label(act.shortcut()) if not act.shortcut().isEmpty() else ""
    named = f"{name}: {keys}" if keys.endswith(")") else f"{name} ({keys})"  # "…: Period (.)"
    head = html.escape(named if keys else name)  # a category's action is named from a file
    act.setToolTip(f"<b>{head}</b>" + (f"<br>{tip}" if tip else ""))


def grey_with_reason(act: QAction, why: str, tip: str) -> None:
    """Grey ``act`` while ``why`` says why it cannot act ("": it can); its tooltip and the menu's status line
    say the reason (else ``tip``), so a greyed item tells how to make it work; re-described on a change."""
    act.setEnabled(not why)
    if why != (act.property("greyed_why") or ""):
        act.setProperty("greyed_why", why)
        describe(act, why or tip)
        act.setStatusTip(why)


def plain(text: str) -> str:
    """User text (a category, a file name) as a menu shows it literally: "R&D" is not R, underlined D."""
    return text.replace("&", "&&")


def make_action(
    id: str,
    parent: QObject,
    slot: Callable[..., object],
    *,
    tip: str = "",
    checkable: bool = False,
    toggled: bool = False,
    text: str | None = None,
) -> QAction:
    """The action of registry entry ``id``: its text (or ``text``), its keys (kept up to date), a tooltip
    naming them; ``slot`` runs on ``triggered`` (or ``toggled``)."""
    act = QAction(text or REGISTRY.get(id).text, parent)
    act.setCheckable(checkable or toggled)
    (act.toggled if toggled else act.triggered).connect(slot)
    act.setProperty("tip_text", tip)
    return REGISTRY.bind(act, id)
