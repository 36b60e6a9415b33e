; NSIS additions for the Windows installer (electron-builder.yml nsis.include).
; Parley registers parley:// for the user at first start (app.setAsDefaultProtocolClient); uninstalling removes it.
!macro customUnInstall
  DeleteRegKey HKCU "Software\Classes\parley"
!macroend
