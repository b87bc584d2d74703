; Inno Setup script for PixelProof on Windows. Build the bundle first (python packaging\build.py), then:
;   iscc /DAppVersion=0.1.0 packaging\windows\pixelproof.iss
; Output: dist\PixelProof-<version>-setup.exe. Installs per user by default (no admin needed); offers a
; per-machine install when run as administrator. Registers "Open with PixelProof" for .json project files
; (never takes over the default .json handler) and an uninstaller.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F2B1F7A-3C1E-4B8E-9E55-7A0D2C1B9F10}
AppName=PixelProof
AppVersion={#AppVersion}
AppPublisher=PixelProof
DefaultDirName={autopf}\PixelProof
DefaultGroupName=PixelProof
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=PixelProof-{#AppVersion}-setup
SetupIconFile=pixelproof.ico
UninstallDisplayIcon={app}\pixelproof.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes

[Files]
Source: "..\..\dist\pixelproof\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\PixelProof"; Filename: "{app}\pixelproof.exe"; IconFilename: "{app}\pixelproof.exe"
Name: "{group}\PixelProof demo"; Filename: "{app}\pixelproof.exe"; Parameters: "demo"
Name: "{group}\Uninstall PixelProof"; Filename: "{uninstallexe}"
Name: "{autodesktop}\PixelProof"; Filename: "{app}\pixelproof.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop icon"; Flags: unchecked

[Registry]
; "Open with" entry for .json projects: listed, not made the default.
Root: HKA; Subkey: "Software\Classes\PixelProof.Project"; ValueType: string; ValueName: ""; ValueData: "PixelProof project"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\PixelProof.Project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\pixelproof.exe,0"
Root: HKA; Subkey: "Software\Classes\PixelProof.Project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\pixelproof.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.json\OpenWithProgids"; ValueType: string; ValueName: "PixelProof.Project"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Applications\pixelproof.exe\SupportedTypes"; ValueType: string; ValueName: ".json"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\pixelproof.exe"; Parameters: "demo"; Description: "Open the demo project"; Flags: nowait postinstall skipifsilent
