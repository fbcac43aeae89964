; MajicFlux Desktop: the Windows installer (Inno Setup 6.3 or newer).
;
;   packaging/build.sh --installer     (Git Bash; builds dist\MajicFlux first, then runs:)
;   iscc /DAppVersion=X.Y.Z packaging\majicflux.iss
;
; The version comes from pyproject.toml through /DAppVersion; the script holds none of its own.
; Per-user: no administrator rights, installed into %LOCALAPPDATA%\Programs\MajicFlux. The payload
; (PyTorch with CUDA) is several GB, over what one setup.exe can hold, so it spans into .bin files
; that must stay beside the .exe.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z (packaging/build.sh does)
#endif
#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is needed (x64compatible, the modern wizard)
#endif

#define AppName "MajicFlux"
#define AppExe "MajicFlux.exe"
#define Bundle "..\dist\MajicFlux"

[Setup]
; The AppId ties every version together: a newer installer finds the older install by it and
; upgrades it in place. Never change it.
AppId={{6E0C4D1B-8A57-4F7E-9C36-2B1F8D5A9E42}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=MajicFlux
VersionInfoProductTextVersion={#AppVersion}
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; shown on a first install; an upgrade keeps the folder it found
DisableDirPage=auto
UsePreviousAppDir=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern
SetupIconFile=..\build\MajicFlux.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; an upgrade while the app runs: the Restart Manager asks to close it first
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage
SetupLogging=yes
OutputDir=..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
; CUDA libraries compress poorly and slowly: normal LZMA2 in blocks is most of the gain of
; /ultra in a fraction of the time, and no solid block means no multi-GB decompression at once
Compression=lzma2/normal
SolidCompression=no
LZMAUseSeparateProcess=yes
; two blocks at a time, each with its two match-finder threads: the 4 cores of a GitHub runner
LZMANumBlockThreads=2
DiskSpanning=yes
; slices under 2 GB: each must fit a GitHub release asset (2 GiB) and older Inno Setup limits
DiskSliceSize=2000000000

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
; Inno Setup ships no Chinese: our translation replaces the English messages it covers
Name: "chinesesimplified"; MessagesFile: "compiler:Default.isl,ChineseSimplified.isl"

[CustomMessages]
en.DeleteUserData=Also delete your MajicFlux images, history, settings and downloaded models?%n%n%1%n%2%n%nChoose No to keep them (you can install MajicFlux again and find everything as it was). Folders you chose yourself in the settings are never deleted.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; upgrade in place: the old version's libraries go before the new ones come, so no module or DLL
; of the old version is left beside the new one
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Code]
const
  CSIDL_MYPICTURES = $0027;

{ Where the app keeps the user's things by default (majicflux_desktop/core/paths.py, platformdirs):
  settings, history, logs and models in %LOCALAPPDATA%\MajicFlux; images in Pictures\MajicFlux. }
function UserDataDir: String;
begin
  Result := ExpandConstant('{localappdata}\{#AppName}');
end;

function UserImagesDir: String;
begin
  Result := GetShellFolderByCSIDL(CSIDL_MYPICTURES, False);
  if Result <> '' then
    Result := AddBackslash(Result) + '{#AppName}';
end;

{ Kept unless the user says Yes. A silent uninstall keeps them too (the default answer), unless
  it is run with /DELETEUSERDATA=yes. }
function ShouldDeleteUserData: Boolean;
var
  Question: String;
begin
  if CompareText(ExpandConstant('{param:DELETEUSERDATA|no}'), 'yes') = 0 then
  begin
    Result := True;
    Exit;
  end;
  if UninstallSilent then
  begin
    { /SILENT without /SUPPRESSMSGBOXES (winget, management tools) must not stop at a question }
    Result := False;
    Exit;
  end;
  Question := FmtMessage(CustomMessage('DeleteUserData'), [UserDataDir, UserImagesDir]);
  Result := SuppressibleMsgBox(Question, mbConfirmation, MB_YESNO or MB_DEFBUTTON2, IDNO) = IDYES;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  if not ShouldDeleteUserData then
  begin
    Log('Kept the user data in ' + UserDataDir + ' and ' + UserImagesDir);
    Exit;
  end;
  Log('Deleting the user data in ' + UserDataDir + ' and ' + UserImagesDir);
  DelTree(UserDataDir, True, True, True);
  if UserImagesDir <> '' then
    DelTree(UserImagesDir, True, True, True);
end;
