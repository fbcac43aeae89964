<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>DesktopApp</name>
    <message>
        <source>The settings could not be saved ({error}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new output folder is used after a restart of MajicFlux.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DownloadPage</name>
    <message>
        <source>Download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ModelScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Hugging Face mirror:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recommended. Works from mainland China; no account or token needed. majicflus_v1 is published there only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usually not reachable from mainland China. Needs a token (see below). majicflus_v1 itself still comes from ModelScope, the only place it is published.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FLUX.1-dev, whose text encoders and VAE MajicFlux uses, is a gated repository on Hugging Face: its authors ask everyone to accept the FLUX.1 [dev] Non-Commercial License before downloading. Sign in at huggingface.co/black-forest-labs/FLUX.1-dev, accept the licence there, create an access token with read access (Settings ▸ Access Tokens) and paste it below. Mirrors pass the same gate on. majicflus_v1 itself always comes from ModelScope.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only for Hugging Face or a mirror (hf_…); never saved to disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the source for the file list and sizes, and look at the disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About 22 GB: the majicflus_v1 transformer, and the text encoders, VAE and tokenizers of FLUX.1-dev. Interrupted downloads continue where they stopped, also after MajicFlux was closed; every file is checked before it is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the files still missing: {titles}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking {source} for the file list…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{folder}” is not a full path. Choose the folder with “Choose…”, or type its full path, such as {example}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose where to save the model files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} files, {total} in all, from {source}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already there: {size}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resuming: {size} already downloaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To download: {size}. Free on that drive: {free}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The files go to: {folders}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files are downloaded and verified. Loading the engine…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DownloadProgressView</name>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{speed}/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{eta} left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now: {file}, {percent:.0%}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>already there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>downloading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retrying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>verifying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done, verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EditOptionsForm</name>
    <message>
        <source>Image to image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repaint the whole picture; strength says how much changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inpaint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repaint only the part you paint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outpaint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make the picture larger: paint new surroundings beyond its edges</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upscale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make the picture larger with new fine detail (up to 2048 pixels)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to this mode&apos;s usual strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much is repainted: low keeps more of the picture, 1 repaints it completely. About strength × steps steps run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit into the size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All of the picture, scaled into the chosen size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill the size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chosen size covered; the picture&apos;s edges cropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the picture&apos;s size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The picture&apos;s own size, rounded to 16 pixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Masked area, full resolution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whole picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Masked area: only the part around the mask is generated, at its full resolution (best for small fixes in large pictures). Whole picture: the whole picture is generated at up to 2048 pixels and only the mask is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context around the mask that the model sees when it repaints the masked area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pixels over which the repainted part blends into the picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bottom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pixels added on this side (0–{limit})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+{pixels} on every side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add nothing on any side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upscaling stops at 2048 pixels on the long side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resize</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Padding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feather</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Factor</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EditPanel</name>
    <message>
        <source>Picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the source picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The clipboard holds no picture. Copy a picture, then paste.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pasted picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The source picture is still being read. Wait a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source of the reused image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask was kept for the new picture.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask was removed: the new picture has another size. Paint it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask was {mask_width}×{mask_height} pixels and the picture is {width}×{height}; the mask was scaled to the picture.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <source>Writing the demo models (random weights)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the model files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the engine (PyTorch)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the models (memory plan: {plan})…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExistingFilesPage</name>
    <message>
        <source>Use existing files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the folder where you keep FLUX files: a ComfyUI or Forge folder (or its models folder), a ModelScope or Hugging Face cache, or any folder. Everything inside it is looked at; files are recognised by their contents, not their names, and used where they are: nothing is copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No folder chosen yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download the missing files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use these files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the folder with the model files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking at the files in {folder}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a folder to see what it holds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{folder}: {found} of {total} required files found ({count} model files looked at).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These are the demo&apos;s tiny random-weight files: they make noise, not pictures. Choose the folder with the real model files, or download them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything is there. “Use these files” loads them where they are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Still missing: {titles}. Choose another folder, or download only the missing files.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GalleryPanel</name>
    <message>
        <source>Family of #{id} ✕</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not move the image to the trash: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Moved to trash — Ctrl+Z to undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not restore the image: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restored from the trash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All LoRAs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-roll ×{n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show its family</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export without metadata…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search prompts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only favourite images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only images made with this LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Showing one picture&apos;s family. Click to show every image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Oldest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search prompts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-roll</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo move to trash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use as source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform>%n images</numerusform>
        </translation>
    </message>
    <message>
        <source>No image matches “{search}”.
Search looks in prompts and negative prompts, in any language.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No image of this family matches.
Click “Family of #{id}” above to see every image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No image made with the LoRA “{name}” matches.
Choose “All LoRAs” to see every image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No favourites yet.
Right-click an image and choose Favourite to keep it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No images yet.
Write a prompt and press Ctrl+Enter to make your first image: it will appear here with its seed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImageDetails</name>
    <message>
        <source>Select an image in the gallery to see it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-roll</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Same parameters, new random seed (Ctrl+R)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-roll ×{n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put this seed into the prompt panel (Ctrl+Shift+R)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the prompt, seed and every setting into the prompt panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use as source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start from this image: image to image, inpaint, outpaint or upscale (Ctrl+I)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the seed or the prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open in the viewer (F11)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file cannot be read as an image:
{path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is missing: it was moved or deleted outside the app.
{path}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoraCatalog</name>
    <message>
        <source>This file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoraChecks</name>
    <message>
        <source>LoRA “{name}” is not in your LoRA folders ({folders}). Put the file there or check the name: did you mean “{near}”?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA “{name}” is not in your LoRA folders ({folders}). Put the file there or check the name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA “{name}” cannot be used: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoraDetails</name>
    <message>
        <source>Trigger words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frequent tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rank</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers matched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add to the prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be used: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{matched} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep this LoRA at the top of the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A LoRA that cannot be used cannot be a favourite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn on in the prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already in the prompt</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoraDownloadDialog</name>
    <message>
        <source>Download a LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{example} or https://…/name.safetensors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A ModelScope model id (owner/name; owner/name/file.safetensors when it holds several LoRAs), or the link of a .safetensors file. Only .safetensors files are downloaded, and a file MajicFlux cannot use is deleted again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ModelScope model id or address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no LoRA folder: choose a models folder in Settings, or add a LoRA folder there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking up {address}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is already in this folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}: continuing after {kept} of {size}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}: {size}, starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}: {done} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The download was cancelled. What arrived is kept: download the same address again to continue.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoraFolderList</name>
    <message>
        <source>Add folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Always looked in: {folders}. Add the LoRA folders of other apps here to use their LoRAs where they are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This folder does not exist (now): no LoRA is found there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{app} install: {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use these LoRAs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Look for LoRAs in this folder too; the files stay where they are</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a LoRA folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoraPicker</name>
    <message>
        <source>Add LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search names, trigger words and tags…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Look in the LoRA folders again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open LoRA folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the folder where LoRA files go (it is created if it is not there)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download a LoRA by its ModelScope model id or the link of its .safetensors file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recently used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All LoRA files ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be used: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trigger words: {words}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA folders: {folders}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking for LoRA files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No LoRA matches “{search}”.
Search looks in names, titles, trigger words and training tags, in any language.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No LoRA files yet.

Put LoRA files made for FLUX.1 (.safetensors) in
{folder}
and they appear here at once.

LoRAs you keep for ComfyUI (models/loras) or Forge (models/Lora) can be used where they are: add their folder in Settings ▸ LoRA folders.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{path}” could not be read ({reason}). Check that the file is still there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LoRA folder could not be created ({reason}). Choose another models folder in Settings, or add a LoRA folder there.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoraRow</name>
    <message>
        <source>On: used for the next image. Off: kept here, not used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trigger words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove this LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight: how strongly the LoRA acts. 1 is typical; below 0 it works against its style.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight of {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put its trigger words at the start of the prompt: {words}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This LoRA&apos;s file records no trigger words.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is not in your LoRA folders.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be used: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model: {model}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rank: {rank}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers matched: {matched} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size: {size}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File: {path}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoraStack</name>
    <message>
        <source>Add LoRA…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No LoRA. Add one, or type &lt;lora:name:weight&gt; in the prompt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most {limit} LoRAs can be used at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a LoRA from your LoRA folders</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>DEMO: tiny model with random weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued. The queue is paused: press “Resume queue” to start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed {seed} locked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All parameters reused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of image #{id} is missing (“{path}”): it was moved or deleted outside the app. Put it back, or choose another image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image #{id} is the source picture: choose what to do with it under Source picture.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Its prompt was filled in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image #{id} is in the trash or was deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file “{path}” cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pasted picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The pasted picture is the source picture now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The trash is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty trash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the {count} image(s) in the trash for good? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted {count} image(s) for good.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only files on this computer can be dropped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It is the source picture now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” carries generation parameters. What should it be used for?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use its parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use it as the source image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is the source picture now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MaskDialog</name>
    <message>
        <source>Paint the mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brush</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paint what is to be repainted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take parts out of the mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brush size in picture pixels ([ smaller, ] larger)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feather: how many pixels around the mask blend the new picture into the old. The soft edge of the overlay shows it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repaint everything except what is painted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty the mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show or hide the mask over the picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the whole picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feather</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paint over what is to be repainted. Left button: the tool · right button: the other tool · wheel: zoom · middle button or Space+drag: move · [ ]: brush size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open mask…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use a mask made elsewhere: white (or opaque) parts are repainted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save mask…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the mask as a PNG: white is repainted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mask: {percent} of the picture · Zoom {zoom} %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask is empty, so nothing would be repainted. Paint over the part of the picture to repaint, or press Cancel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard the mask?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close without keeping the changes to the mask?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading “{name}”…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask was {mask_width}×{mask_height} pixels and the picture is {width}×{height}; the mask was scaled to the picture.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG pictures (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask could not be saved to “{path}” ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved “{name}”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MaskDocument</name>
    <message>
        <source>Brush stroke</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eraser stroke</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invert mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear mask</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MaskRow</name>
    <message>
        <source>Paint mask…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paint over the part of the picture to repaint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No mask yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repaints {percent} of the picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit mask…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Notice</name>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PromptPanel</name>
    <message>
        <source>Describe the image: subject, setting, light, style. For example: “a ginger cat asleep on a sunny windowsill, soft morning light, film photo”. Ctrl+Enter generates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to avoid (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A negative prompt only acts with a CFG scale above 1, which doubles the time per step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start from a picture: image to image, inpaint, outpaint or upscale. Drop one here, open or paste it, or choose “Use as source” on a gallery image (Ctrl+I).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More steps: more detail, more time. 20–30 is typical.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How closely the image follows the prompt (FLUX guidance). 3.5 is typical.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG scale: 1 turns it off. Above 1 the negative prompt acts, and every step takes twice as long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>random</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The same seed and parameters give the same image. Empty: a random seed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Random</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new random seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked: every image uses this seed. Unlocked: a new seed after each Generate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many images to make (seed, seed+1, …)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add to the queue (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The source picture could not be stored in the library ({reason}). Free some disk space, then press Generate again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The edit sets the size: see under Source picture.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn CFG on ({cfg})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move up (Alt+Up)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move down (Alt+Down)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel every waiting job (not the running one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused: the running job finishes, the next one waits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the selected job, or the running one if none is selected (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take ended jobs off this list; their images stay in the gallery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count}× {width}×{height} · {steps} steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>image {i} of {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reading the prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finishing the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>compiling this size (once)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>loading compiled maths</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step {step}/{total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{what} · elapsed {elapsed} · ETA {eta}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(queue {eta})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RecordActions</name>
    <message>
        <source>Seed {seed} copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file “{path}” is missing: it was moved or deleted outside the app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open the folder “{folder}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export without metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not export to “{path}” ({reason}). Choose another folder or free some space.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported without metadata to “{path}”</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RecordInfo</name>
    <message>
        <source>{seconds} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{minutes} min {seconds} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{gb} GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed {seed}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{steps} steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peak {vram}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model hash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak VRAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hash {hash}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{layers} layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRAs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{width}×{height} · hash {hash}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>masked area at full resolution, padding {padding} px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>whole picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>feather {feather} px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Made from {image} ({how}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Made from #{id}, which is no longer in the library ({how}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Made from a picture opened from a file ({how}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show its family</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReportTable</name>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(tiny random weights)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MajicFlux&apos;s choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} usable files were found for this; pick the one to use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>shipped with MajicFlux</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>demo only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(+{count} more)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wrong</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected: {files} (from {repo})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected: {files} from {repo}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>… and {count} more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong or unusable files, and how to fix them:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not looked at:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More than one usable file was found for {what}: MajicFlux chose the float8 and newest majicflus file; pick another in the list if you prefer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto (the fastest that fits)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (what the card has free)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much GPU memory the fp8 and fp8-stream plans may use for model weights.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto (where the GPU supports it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off (always compute in bf16)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Float8 maths multiplies in float8 on GPUs that can (RTX 40xx, H100): faster, with a very small change in the images. Off computes in bf16.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto (NVIDIA GPUs where the compiler works)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off (never compile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compiled maths fuse the transformer&apos;s small steps into fewer GPU kernels: about 1.8 times as fast where the model stays on the GPU (measured on an H200), less where its blocks stream from RAM. The first image of each size compiles once on this PC (tens of seconds); later ones, after a restart too, reuse it. Images with LoRAs compile once more, and switching LoRAs then compiles nothing; LoKr, LoHa or DoRA layers inside the transformer&apos;s blocks make an image run uncompiled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new output folder is used after a restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VRAM budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Float8 maths</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compiled maths</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models and GPU memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Model setup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MajicFlux needs about 22 GB of model files: the majicflus_v1 transformer and the text encoders, VAE and tokenizers of FLUX.1-dev. Download them, or use the files you already have.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use existing files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From ModelScope (works from mainland China, no account needed) or Hugging Face. Shows the size and the free space first; pauses, resumes, continues after a restart, and checks every file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use existing files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already have FLUX files for ComfyUI, Forge, or in a ModelScope or Hugging Face cache? Choose the folder: files are recognised by their contents and used where they are, nothing is copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try the demo (tiny model, random weights)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tries the interface with a tiny model of random weights: it makes noise, not pictures, but everything else works.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models folder: {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} chosen files used where they are</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All model files are there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} of the model files are missing or wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An earlier download stopped with {size} already downloaded: Download continues from there.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SizePicker</name>
    <message>
        <source>Custom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aspect ratio (width : height)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Long side in pixels. 1024 is what the model knows best; larger is slower.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width in pixels (a multiple of 16)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Height in pixels (a multiple of 16)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SourceBox</name>
    <message>
        <source>Open…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a picture file to edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit the picture on the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the source picture: generate from text only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop a picture here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No source picture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open one, paste one, or use a gallery picture as the source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the picture…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{width} × {height} pixels</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>DEMO · random weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A tiny model with random weights: it makes noise, not pictures.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ThumbnailDelegate</name>
    <message>
        <source>File missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read this file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ViewerWindow</name>
    <message>
        <source>MajicFlux — Viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit to window (F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actual size (1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the parameters (I)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the viewer (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>← → previous / next · wheel: zoom · drag: pan · F: fit · 1: actual size · I: parameters · Esc: close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is missing: it was moved or deleted outside the app.
{path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file cannot be read as an image.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VramGauge</name>
    <message>
        <source>No NVIDIA GPU · RAM {used} / {total} GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VRAM {used} / {total} GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used / total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This app</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job peak</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no NVIDIA driver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No NVIDIA GPU found ({detail})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the CPU (very slow; the demo works)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not loaded yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM for the plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>about {need} GB at its peak</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compiled maths</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WorkerPresenter</name>
    <message>
        <source>You can write a prompt and queue it meanwhile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the model files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model files missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models not loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>on: each new image size compiles once on this PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models loaded in {seconds:.1f} s (plan {plan}, {device}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done: seed {seed} · {seconds}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finishing: the image is already made and will be saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling after this step…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>about</name>
    <message>
        <source>About MajicFlux</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;MajicFlux Desktop {version}&lt;/h3&gt;&lt;p&gt;麦橘超然 (majicflus_v1, a FLUX.1-dev fine-tune) on your own GPU, offline. The 12-billion-parameter transformer is stored in float8, so it fits 8–12 GB cards.&lt;/p&gt;&lt;p&gt;Runs on DiffSynth-Studio and PyTorch. Every image keeps its parameters and seed inside the PNG.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>MajicFlux could not start ({error}). The details are in the log: {log}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>catalog</name>
    <message>
        <source>{file} is a folder, not a model file. Choose the .safetensors file inside it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is not a .safetensors file. MajicFlux loads only .safetensors, because other model formats (.ckpt, .bin, .pt, .pth) can run code when opened. Download the .safetensors version of this model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is empty or cut off. Download it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is not a valid safetensors file (its header claims {claimed} bytes). It may be another format renamed to .safetensors, or damaged. Download it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} cannot be read (permission denied). Check the file&apos;s permissions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is not a valid safetensors file (unreadable header). It may be another format renamed to .safetensors, or damaged. Download it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is incomplete: {missing} short of {need}. The download was interrupted or the file was cut off while copying; download it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SDXL checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stable Diffusion checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FLUX all-in-one checkpoint (transformer, text encoders and VAE in one file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FLUX-type transformer with a different layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T5 text encoder with a different layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CLIP text encoder with a different layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VAE with a different layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is a {found}, not the {expected}. Choose the right file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} looks like a {family}, not the {expected}. MajicFlux needs the files listed in Model setup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is not a model file MajicFlux knows (layout {layout}). Expected the {expected}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} has the name of the {expected} but not its content: it holds {count} tensor(s) in a layout MajicFlux does not know. It is damaged, or another model saved under this name. Download the {expected} again ({files} from {repo}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model files are missing or wrong in {folder}. Open Model setup, or run `majicflux models check` to see which.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing: {title} ({files} from {repo}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is a GGUF file (a quantized model for ComfyUI-GGUF or stable-diffusion.cpp). MajicFlux cannot use GGUF files; it needs the .safetensors files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is the {found} under the old .sft name. MajicFlux opens only files named .safetensors: rename it to {name} (the content is the same) and scan again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The T5 text encoder is incomplete: found {count} part(s) in {folder}, but not all of them. Download the missing part.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is what MajicFlux would use; {chosen} was chosen instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chosen parts of the T5 text encoder do not make the whole model ({files}). Choose the folder with all of them in Model setup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The files chosen for the {title} are gone or not what they should be ({files}). Open Model setup and choose them again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} holds tiny random weights (the demo model); {chosen} is the real model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is a {found}; {chosen} is the {expected} MajicFlux is made for, so it is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The name of {file} does not say which majicflus version it is; {chosen} is majicflus {chosen_version}, so it is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is majicflus {version}; {chosen} is the newer majicflus {chosen_version}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is stored in {dtype}; {chosen} holds the same model in float8, which MajicFlux prefers for the transformer: half the bytes to read and keep in memory, and the memory plans store the transformer in float8 anyway.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is stored in float8; {chosen} keeps full precision, which MajicFlux prefers for the text encoder: it reads prompts more faithfully.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is the same kind of file as {chosen}; the one nearer the top of the folder is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{folder} holds {count} entries: the files directly in it were looked at, but not its subfolders. If model files are in one of them, choose that subfolder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} folder(s) more than {depth} levels below {folder} were not looked at. If model files are that deep, choose a folder nearer to them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{folder} holds more than {count} files and folders: the search stopped there, and files it did not reach are not listed. Choose the folder that holds the model files (a ComfyUI or Forge folder, say).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>{path} is not a folder: it is a file. Give the folder that holds the model files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{path} is not a folder: it does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read “{path}”: {reason}. Check the path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--out must name a .png file, not {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LoRA file {path} does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no LoRA folder at {path}. Put LoRA files there, or name a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{path} is not a folder: it is a file. Name a LoRA folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--only takes roles from {roles}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>compiled</name>
    <message>
        <source>off in Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>they need an NVIDIA GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PyTorch&apos;s compiler is missing ({error})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Triton, the GPU compiler, is not installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>diffsynth moves this plan&apos;s layers itself</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the compiler did not start ({error})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Python&apos;s C headers are missing ({folder}); reinstall MajicFlux</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Python&apos;s C headers are missing ({folder}); install Python&apos;s development files (python3-dev)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no C compiler was found for the GPU compiler&apos;s launchers: install gcc, or name one in the CC environment variable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the GPU compiler&apos;s C compiler cannot read the folder {folder}: its name has characters outside this Windows&apos; code page. Turn on &quot;Use Unicode UTF-8 for worldwide language support&quot; in Windows&apos; region settings, or keep MajicFlux and its data in folders named in this Windows&apos; language</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>download</name>
    <message>
        <source>Cannot read the free space of the drive for {folder} ({reason}). Check that the drive is connected, or choose a models folder on another drive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not enough free space: the download needs {need} more, and the drive holding {folder} has {free} free. Free up {short}, or choose a models folder on another drive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{path} is not in {repo} on {source} any more. The repository has changed; try another source or update MajicFlux.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{repo} is not published on {source}; its files come from {fallback}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {reason}. Trying again in {delay:.0f} s ({tries} of {limit}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} failed the layout check: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The parts of the {title} do not fit together (files: {files}). Delete them and download again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: the server sent {got} bytes where {source} lists {want}. Its copy may be changing or damaged; try again later or choose another source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} failed its {kind} check: the downloaded bytes are not the published file (damaged on the way).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is not the {expected}: its content is {found}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{reason} It failed again after a second download, so it was not used; the last copy was set aside as {corrupt}. Try another source, or try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{source} is not a valid web address ({reason}). Type the mirror&apos;s address as https:// and its host name, for example https://hf-mirror.com.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown download source {source}. Use modelscope, huggingface, hf-mirror, or the address of a Hugging Face mirror starting with https://.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{what} was not found on {source} (HTTP {status}). The repository may have moved or been renamed; try another source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{source} answered HTTP {status} ({reason}) for {url}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was found at {url} (HTTP {status}). Check the address; a download link copied from a web page may have expired, so copy it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} refused the download of {url} (HTTP {status}). The link may need you to be signed in on that site, or it has expired: open it in a web browser, copy a fresh download link and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ModelScope refused access to {repo} (HTTP {status}). Sign in at {page}, accept the model&apos;s terms if the page asks you to, then set the environment variable MODELSCOPE_API_TOKEN to a ModelScope access token (Account settings, Access Token) and start MajicFlux again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{repo} on Hugging Face is a gated repository: its authors ask everyone to accept their licence (for FLUX.1-dev, the FLUX.1 [dev] Non-Commercial License) before downloading. To download it from Hugging Face: sign in at {page}, accept the licence on that page, create an access token with read access (Settings, Access Tokens) and paste it into the token field. Or download from ModelScope, which needs neither.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face refused your token for {repo} (HTTP {status}). Open {page} with the account that made the token and accept the licence there, and check that the token has read access. Or download from ModelScope, which needs no token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The hub refused the file list: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download cancelled. Finished files are kept; the file in progress stays as a .part file and continues from there next time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach {host} ({reason}) after {tries} tries. Check the internet connection and proxy settings. Hugging Face is usually unreachable from mainland China: download from ModelScope (the default) or hf-mirror instead. Partly downloaded files are kept and continue next time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach {host} ({reason}) after {tries} tries. Check the internet connection and proxy settings, then start the download again: partly downloaded files are kept and continue from where they stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk is full: {file} stopped {missing} short of {total}. What was downloaded is kept as {part}. Free up space (or choose a models folder on another drive) and start the download again to continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write {part}: {reason}. Check that the models folder is writable and not open in another program.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drop</name>
    <message>
        <source>“{name}” is not a file. Drop a PNG image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is not an image. Drop a PNG made by MajicFlux, A1111/Forge or ComfyUI to reuse its parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” carries no generation parameters; only PNGs made by MajicFlux, A1111/Forge, ComfyUI, InvokeAI or Fooocus do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters read from “{name}” ({source}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters pasted ({source}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA “{name}” cannot be used ({reason}); the other parameters were loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA “{name}” (hash {hash}) is not in your LoRA folders; the other parameters were loaded. To use it, put its file in {folders} and drop or paste the image again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA “{name}” is not in your LoRA folders; the other parameters were loaded. To use it, put its file in {folders} and drop or paste the image again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>edit</name>
    <message>
        <source>Repainted the {box_width}×{box_height} pixels around the mask at {work_width}×{work_height}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upscaled ×{used:.2f} instead of ×{asked}: upscaling stops at {limit} pixels on the long side.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask was {mask_width}×{mask_height} pixels and the picture {width}×{height}; the mask was scaled to the picture.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask is empty: nothing would be repainted. Paint over the part of the picture to repaint (white repaints) and try again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>edit_sizes</name>
    <message>
        <source>Repaints the {area} pixels around the mask at {work} · result {result}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repaints the area around the mask at its own resolution · result {result}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Works at {work} · result {result}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(the size chosen above)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(×{factor:.2f}: upscaling stops at 2048 pixels on the long side)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>edit_text</name>
    <message>
        <source>Image to image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inpaint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outpaint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upscale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+{left} ←, +{top} ↑, +{right} →, +{bottom} ↓ px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>strength {value}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>engine</name>
    <message>
        <source>Out of GPU memory with the {old} plan; switched to {new}, which uses less memory and is slower.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of GPU memory: the models do not fit this card even with the {plan} plan ({total:.1f} GB, {free:.1f} GB free). Close other apps that use the GPU, or lower the VRAM budget in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of GPU memory: the {plan} plan does not fit {width}×{height} on this card ({total:.1f} GB, {free:.1f} GB free). Choose a smaller size, close other apps that use the GPU, or pick the fp8-stream plan in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of GPU memory: {width}×{height} does not fit this card ({total:.1f} GB, {free:.1f} GB free) even with the {plan} plan, the one that needs least. Choose a smaller size or close other apps that use the GPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Faster compiled maths do not work on this PC ({reason}); images are made the usual way. Turn compiled maths off in Settings to skip the attempt.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{width}×{height} was made in {count} overlapping tiles of {tile}×{tile} pixels to stay within the {budget:.1f} GB memory budget, which takes longer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write {path} ({reason}). Free some space on that disk and restart MajicFlux.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read {path} ({reason}). Restart MajicFlux: it writes the file again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>failures</name>
    <message>
        <source>Details are in the log file (Help ▸ Open log folder).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of GPU memory, even with the leanest memory plan. Choose a smaller size, close other programs that use the GPU, or lower the VRAM budget in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of GPU memory while loading the models. Choose the fp8-stream memory plan in Settings, or close other programs that use the GPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk is full. Free some space, or choose a models folder on another drive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MajicFlux may not open “{path}”. Check its permissions, or choose another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image could not be made: something unexpected went wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The models could not be loaded: something unexpected went wrong. Check the files with Models ▸ Check model files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder could not be scanned: something unexpected went wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model files could not be checked: something unexpected went wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The download could not be prepared: asking the source for the file list or reading the free space of the drive failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The download stopped. Finished files are kept; start it again to continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The computer ran out of memory (RAM). Close other programs, choose a smaller size, or choose the fp8-stream memory plan in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk is full. Free some space, or choose another output folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MajicFlux may not write to “{path}”. Choose another output folder in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>files</name>
    <message>
        <source>The disk holding {folder} is full: {file} could not be written. Free up space, or choose a folder on another drive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{folder} is on a read-only drive: {file} cannot be written there. Choose another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A part of {folder} is a file, not a folder, so {file} cannot be written there. Choose another place.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{folder} cannot be written to (permission denied). Choose another folder, or make this one writable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} could not be written ({reason}). Check that its folder exists and is writable, or choose another place.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file name “{name}” is too long for this drive: it has {length} characters, MajicFlux adds {extra} while writing, and the drive takes at most {limit}. Shorten it by {over} characters or more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file name “{name}” is too long for this drive: it has {length} bytes, MajicFlux adds {extra} while writing, and the drive takes at most {limit}. Shorten it by {over} bytes or more (a Chinese character takes 3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is a folder. Name a file inside it, for example {example}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{blocker} is a file, not a folder, so {file} cannot be written there. Choose another place.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>instance</name>
    <message>
        <source>MajicFlux is already running with the data folder “{folder}”. Switch to that window, or close it and start MajicFlux again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>library</name>
    <message>
        <source>The disk is full: the image could not be saved in “{folder}”. Free some space or choose another output folder in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image could not be saved in “{folder}” ({reason}). Check that the folder exists and is writable, or choose another output folder in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image library was damaged and has been rebuilt: {count} images were recovered from the files in “{folder}”. The queue, favourites and trash could not be recovered. The damaged file was kept as “{backup}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image library “{path}” was made by a newer version of MajicFlux. Update MajicFlux to open it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image library “{path}” is in use by another program, probably another MajicFlux window. Close it, then start MajicFlux again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image library “{path}” is a folder, not a file. Rename or move that folder (MajicFlux then starts a new library there), or start MajicFlux with --data-dir and another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image library “{path}” cannot be opened ({reason}). Check that its folder exists and is writable, and that the disk is not full.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>loras</name>
    <message>
        <source>The request uses LoRAs ({names}), but no LoRA folder is set. Choose the LoRA folders in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stable Diffusion 1.x</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stable Diffusion 2.x</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SDXL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stable Diffusion (1.x, 2.x or SDXL)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stable Diffusion 3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qwen-Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HunyuanVideo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wan (video)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HiDream-I1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lumina 2 / Z-Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PixArt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FLUX Control (Canny/Depth), which needs a control image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} holds no LoRA layers{what}. Put only LoRA files in the LoRA folders; model files go where Model setup finds them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is a LoRA for {family}, not for FLUX.1. MajicFlux can only use LoRAs made for FLUX.1 (dev); download the FLUX.1 version of this LoRA if there is one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} changes only the text encoders (layers: {count}). MajicFlux applies LoRAs to the transformer only, so this file would have no effect; use a LoRA trained on the FLUX.1 transformer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: 0 of {total} layers matched this transformer. The layer names are FLUX&apos;s, but their sizes differ ({examples}): it was made for a model of another size. Use a LoRA made for FLUX.1 (dev).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: 0 of {total} layers can be applied: they are of a kind MajicFlux does not apply (incomplete, or a convolution-only LyCORIS type: {examples}). Use a LoRA, LoKr, LoHa or DoRA file for FLUX.1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: 0 of {total} layers matched this transformer&apos;s layers (unknown names such as {examples}). It is not a FLUX.1 LoRA, or it is written in a layout MajicFlux does not know.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} also changes the text encoders (layers: {count}); it is applied to the transformer only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {matched} of {total} transformer layers matched; the others ({examples}) are not applied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LoRA “{name}” (hash {hash}) is not in the LoRA folders ({folders}). Put the file in one of them, or remove the LoRA from the list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LoRA “{name}” is not in the LoRA folders ({folders}). Put the file {name}.safetensors in one of them, or remove the LoRA from the list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a ModelScope model id (owner/name, for example {example}) or paste the address of a .safetensors file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{text}” is neither a ModelScope model id nor a web address. A model id is the owner and the name as the model&apos;s page shows them, for example {example}; an address starts with https://. A LoRA file already on this computer needs no download: copy it into the LoRA folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{url} is not a valid web address ({reason}). Copy the download link again; it starts with https://.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is not a .safetensors file. MajicFlux loads LoRAs only from .safetensors files, because other formats (.ckpt, .pt, .bin) can run code when they are opened; look for the .safetensors version of this LoRA.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{repo} holds {count} LoRA files: {names}. Name the one to download after the model id, for example {example}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no model {repo} on {source}. Check the model id: the owner and the name as the model&apos;s page shows them, for example {example}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{repo} holds no .safetensors file, only {names}. MajicFlux loads LoRAs only from .safetensors files, because other formats (.ckpt, .pt, .bin) can run code when they are opened; look for a .safetensors version of this LoRA.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{repo} on {source} holds no LoRA file (.safetensors); its files: {names}. Check the model id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no file {path} in {repo} on {source}. Its LoRA files: {names}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{url} is an empty file. Check the address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{url} is a web page, not a file. On that page, copy the link of the .safetensors file itself (often its Download button) and paste that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{host} does not say how large {name} is, so MajicFlux can neither check the download nor continue it after an interruption. Download it with a web browser and copy it into the LoRA folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{folder} already holds {count} other files named like {name}. Move some of them away and download again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file} is already in the LoRA folder, but MajicFlux cannot use it: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} was downloaded but cannot be used, so it was deleted again. {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>menus</name>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty trash…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the running job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model setup…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check model files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try the demo (random weights)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About MajicFlux</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>metadata</name>
    <message>
        <source>not an image format MajicFlux can read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the picture is too large to open safely</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file is gone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>permission denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file is damaged or cut off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file is not a readable image ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ignored the oversized text block “{key}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The {source} parameters in this file are damaged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image&apos;s “parameters” text is not generation parameters; it was ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This image carries no generation parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The clipboard holds no generation parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The text is not generation parameters. Copy them from A1111, Forge or MajicFlux (the block that ends with “Steps: …, Seed: …”).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This image was made from another picture (denoising strength {strength}); only its text-to-image parameters are used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG scale {value} was made for another kind of model; FLUX guidance {default} is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Made with the model “{model}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ComfyUI workflow has no prompt text we could find.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not use {field} = {value}; kept the current default.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{field} {value} was adjusted to {snapped}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>models</name>
    <message>
        <source>majicflus_v1 transformer (DiT)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CLIP-L text encoder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T5-XXL text encoder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VAE (autoencoder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CLIP tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T5 tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T5-XXL text encoder (single file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FLUX.1-dev transformer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the copy shipped with MajicFlux</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>picture_files</name>
    <message>
        <source>Pictures ({patterns})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” cannot be read ({reason}). Check the file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is an empty picture. Use another one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is {width}×{height} pixels, too large to use. Scale it down to at most 8192×8192 first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The picture could not be read ({error}).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>plan</name>
    <message>
        <source>no NVIDIA driver is installed; install driver 580 or newer to use the GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the NVIDIA driver is installed but not running; restart the computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the NVIDIA driver was updated and needs a restart of the computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no permission to read the NVIDIA GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no NVIDIA GPU found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the NVIDIA driver gave no reading ({detail})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything in bf16 on the GPU (fastest; 40 GB cards).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transformer stored in float8 and resident on the GPU, computed in bf16; the T5 encoder stays bf16 and visits the GPU when it does not fit beside it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The original article&apos;s set-up: every model rests in host RAM (transformer in float8) and diffsynth moves layers to the GPU when used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lowest VRAM: transformer and T5 in float8; as many blocks as the budget allows stay on the GPU, the rest stream from RAM while the previous block computes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No NVIDIA GPU: running on the CPU (very slow).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{plan}: needs about {need:.1f} GB at {width}×{height}; {free:.1f} GB free.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fp8-stream: {free:.1f} GB free, so the transformer keeps what fits of a {budget:.1f} GB budget on the GPU and streams the rest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{plan}: needs about {need:.1f} GB of VRAM at {width}×{height} ({free:.1f} GB free) and {ram_need:.1f} GB of RAM ({ram:.1f} GB available).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fp8-stream: {free:.1f} GB of VRAM free, so the transformer keeps what fits of a {budget:.1f} GB budget on the GPU and streams the rest from RAM; needs about {ram_need:.1f} GB of RAM ({ram:.1f} GB available).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{plan}: needs about {need:.1f} GB of VRAM ({free:.1f} GB free) and {ram_need:.1f} GB of RAM, but only {ram:.1f} GB of RAM is available and no plan needs less. Close other programs to free {short:.1f} GB of RAM (or fit more RAM); otherwise the computer swaps and images are much slower.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>recovery</name>
    <message>
        <source>MajicFlux stopped while saving: {count} image(s) it had written were added back to the gallery.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} image(s) in the library have no file any more (moved or deleted outside MajicFlux), for example “{example}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MajicFlux could not finish tidying up after the last session ({error}). Your images are safe; it tries again at the next start. Details are in the log (Help ▸ Open log folder).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>request</name>
    <message>
        <source>The prompt is empty. Describe the image you want.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The prompt is {length} characters long. Shorten it to at most {limit}: the model reads only about the first 512 tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The negative prompt is {length} characters long. Shorten it to at most {limit}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Height</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{side} {value} is outside {low}–{high} pixels. Choose a size in that range.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{side} {value} is not a multiple of 16. Use {snapped}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps must be between {low} and {high} (got {value}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The seed must be a whole number from 0 to {high} (got {value}). Leave it empty for a random seed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guidance must be between {low} and {high} (got {value}); 3.5 is typical.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG scale must be between {low} and {high} (got {value}); 1 turns it off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count must be between {low} and {high} (got {value}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The prompt is about {tokens} tokens; the text encoder reads only the first 512. Put what matters most first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FLUX models understand English prompts best; Chinese words may be partly ignored. English keywords give more reliable results.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The negative prompt only acts with a CFG scale above 1 (which doubles the time per step).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most {limit} LoRAs can be used at once (got {count}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A LoRA has no name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The weight of the LoRA “{name}” must be between {low} and {high} (got {value}); 1 is typical.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LoRA “{name}” is in the list twice. Keep one of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strength must be between {low} and {high} (got {value}): low keeps more of the source, 1 repaints it completely.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inpainting needs a mask: paint over the part of the picture to repaint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outpainting adds 1 to {limit} pixels on at least one side (got {sides}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upscaling goes ×1.5 or ×2 (got ×{value}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feather must be 0 to {feather} pixels and padding 0 to {padding} pixels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The source picture is missing. Choose it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The picture is already {width}×{height}; upscaling goes up to {limit} pixels on the long side. Use image to image on it instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The source is {width}×{height}; keeping its size works only from {low} to {high} pixels a side. Choose Fit or Fill and a size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This edit of a {width}×{height} picture works at {work_width}×{work_height}, not {asked_width}×{asked_height}. Use that size.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>settings</name>
    <message>
        <source>The settings file as it was is kept as “{backup}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings were saved by a newer version of MajicFlux; settings this version does not know are ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The setting “{name}” had a value that cannot be used ({value}); the default ({default}) is used instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The setting “{name}” is unknown to this version and was ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is not UTF-8 text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it holds no settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is nested too deeply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is not valid JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings file “{path}” could not be read ({reason}); the default settings are used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings file “{path}” could not be read ({reason}); the default settings are used. The file as it was is kept as “{backup}”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>shortcuts</name>
    <message>
        <source>Generate: add the prompt to the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the running job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-roll the selected image (new random seed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse the selected image&apos;s seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse all parameters of the selected image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the selected image as the source picture (edit it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourite the selected image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the selected image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste parameters (A1111 text or a PNG), or a picture as the source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the selected image to the trash (gallery)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo the move to the trash (gallery)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search prompts in the gallery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full view of the selected image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the selected job in the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This list of keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>sources</name>
    <message>
        <source>“{name}” is too large ({megabytes} MB). Use a picture of at most 256 MB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is {width}×{height} pixels, too large to use. Scale it down to at most 8192×8192 first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is far larger than 8192×8192 pixels, too large to use. Scale it down to at most 8192×8192 first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is not a picture MajicFlux can read. Use a PNG, JPEG or WebP image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The picture this edit starts from is no longer in the library ({path}). Choose the source again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The stored copy of this edit&apos;s picture is damaged ({path}). Choose the source again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>startup</name>
    <message>
        <source>Demo mode: a tiny model with random weights makes noise, not pictures. Everything else works as it will with the real model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No NVIDIA GPU was found: images would be made on the CPU, which takes many minutes each. Check the graphics driver, or try the demo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} job(s) from last time are waiting in the queue. The queue is paused so nothing starts without you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} job(s) did not finish last time (MajicFlux was closed, crashed or was stopped): {prompts}{more}. Resume makes only the images still missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> and {count} more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{blocker} is a file, but MajicFlux keeps its settings, history and logs in a folder there ({folder}). Rename or move that file, or start MajicFlux with --data-dir and another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MajicFlux cannot write to its data folder {folder} ({reason}). Make it writable, or start MajicFlux with --data-dir and a folder you can write to.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
