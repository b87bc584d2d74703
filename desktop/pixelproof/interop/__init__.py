"""Other annotation formats: LabelMe, YOLO, Pascal VOC, mask folders."""
